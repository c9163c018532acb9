import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the proxy does with the next requests: pass them on, never answer them, or answer 503 itself. */
export type FaultMode = "forward" | "hang" | "fail";

/** A request the proxy is holding without an answer (mode `hang`). */
export interface HeldRequest {
  /** Resolves when the router closes the request's connection (it gave up on it). */
  readonly connectionClosed: Promise<void>;
}

export interface FaultProxy {
  /** The URL to give the router instead of the subgraph's own. */
  readonly url: string;
  mode: FaultMode;
  /** Requests received since the last `resetCounts()`. */
  readonly received: number;
  /** Most TCP connections open at the same time among those made since the last `resetCounts()`. */
  readonly mostOpenConnections: number;
  resetCounts(): void;
  /** Resolves with the next request that arrives while the mode is `hang`. */
  nextHeldRequest(): Promise<HeldRequest>;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a real subgraph that can be told to hang or fail, like a subgraph process that stops
 * answering or crashes, and that counts what reaches it (requests, connections at once).
 */
export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  let mode: FaultMode = "forward";
  let received = 0;
  // Connections are counted per generation, so idle ones of an earlier router do not count for the next.
  let generation = 0;
  let openConnections = 0;
  let mostOpenConnections = 0;
  const held = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const waiters: Array<(request: HeldRequest) => void> = [];

  const server = createServer(async (req, res) => {
    received += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (mode === "hang") {
      held.add(res);
      const connectionClosed = new Promise<void>((resolve) => res.once("close", () => resolve()));
      waiters.shift()?.({ connectionClosed });
      return;
    }
    if (mode === "fail") {
      res.writeHead(503, { "content-type": "text/plain" }).end("upstream unavailable");
      return;
    }
    const headers: Record<string, string> = { "content-type": "application/json" };
    for (const name of ["authorization", "x-request-id", "x-forwarded-for"]) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const upstream = await fetch(upstreamUrl, { method: "POST", headers, body: Buffer.concat(chunks) });
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  server.on("connection", (socket) => {
    const made = generation;
    sockets.add(socket);
    openConnections += 1;
    mostOpenConnections = Math.max(mostOpenConnections, openConnections);
    socket.once("close", () => {
      sockets.delete(socket);
      if (made === generation) openConnections -= 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    get mode() {
      return mode;
    },
    set mode(next: FaultMode) {
      mode = next;
    },
    get received() {
      return received;
    },
    get mostOpenConnections() {
      return mostOpenConnections;
    },
    resetCounts() {
      received = 0;
      generation += 1;
      openConnections = 0;
      mostOpenConnections = 0;
    },
    nextHeldRequest: () => new Promise<HeldRequest>((resolve) => waiters.push(resolve)),
    async close() {
      for (const res of held) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
