import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenCall {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A proxy in front of a subgraph that records every call and holds the ones `holdWhen` picks until `release()`. */
export async function startHoldingProxy(upstreamUrl: string) {
  const seen: SeenCall[] = [];
  const held: Array<() => void> = [];
  let hold: (body: string) => boolean = () => false;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    seen.push({ headers: req.headers, body });
    if (hold(body)) await new Promise<void>((resolve) => held.push(resolve));
    const headers: Record<string, string> = { "content-type": "application/json" };
    for (const name of ["authorization", "x-request-id"]) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const upstream = await fetch(upstreamUrl, { method: "POST", headers, body });
    res.writeHead(upstream.status, { "content-type": "application/json" });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    seen,
    held: () => held.length,
    /** From now on, holds the calls whose body `predicate` picks (none by default). */
    holdWhen(predicate: (body: string) => boolean) {
      hold = predicate;
    },
    release() {
      hold = () => false;
      for (const resolve of held.splice(0)) resolve();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type HoldingProxy = Awaited<ReturnType<typeof startHoldingProxy>>;
