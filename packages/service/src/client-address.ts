import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { isIP } from "node:net";

const withoutIpv4MappedPrefix = (address: string) =>
  address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;

/**
 * The address a request comes from, for rate limits and throttles. Every proxy appends the address
 * it saw to X-Forwarded-For and a client can put anything before that, so only the entries our own
 * proxies appended count: `trustedProxyHops` is how many of them stand in front of this process
 * (0 for the router at the edge: the connection's peer; 1 for a subgraph behind the router, or for
 * the router behind a load balancer; and so on). Without such an entry, the connection's peer;
 * null when there is no connection (in-process calls).
 */
export function clientAddressOf(req: IncomingMessage, trustedProxyHops: number): string | null {
  const headers = req.headers as IncomingHttpHeaders | undefined;
  const forwarded = headers?.["x-forwarded-for"];
  if (trustedProxyHops > 0) {
    const chain = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? ""))
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    const seenByOurOutermostProxy = chain[Math.max(0, chain.length - trustedProxyHops)];
    if (seenByOurOutermostProxy && isIP(seenByOurOutermostProxy)) return withoutIpv4MappedPrefix(seenByOurOutermostProxy);
  }
  const peer = req.socket?.remoteAddress;
  return peer ? withoutIpv4MappedPrefix(peer) : null;
}
