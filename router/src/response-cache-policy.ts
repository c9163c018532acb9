import type { GatewayCacheHint, GatewayCachePolicy } from "@apollo/server-gateway-interface";
import type { CallOutcome } from "./subgraphs/client.ts";

/**
 * A subgraph's `Cache-Control` header as a cache hint, read as @apollo/gateway's RemoteGraphQLDataSource reads it:
 * `max-age=N` (anything else, or no header at all, is 0: not cacheable) and `public` / `private` for the scope.
 * Apollo Server's cache control plugin writes the header from the subgraph's @cacheControl hints: `max-age=60, public`,
 * or `no-store` when any field of the answer has no hint (or the answer has errors).
 */
export function cacheHintOf(header: string | undefined): GatewayCacheHint {
  const hint: { maxAge: number; scope?: "PUBLIC" | "PRIVATE" } = { maxAge: 0 };
  if (!header) return hint;
  for (const directive of header.split(",")) {
    const [name = "", quoted] = directive.trim().toLowerCase().split("=", 2);
    const value = quoted?.replace(/^"|"$/g, "");
    if (name === "max-age" && value && /^[0-9]+$/.test(value)) hint.maxAge = Number(value);
    else if (name === "private") hint.scope = "PRIVATE";
    else if (name === "public" && hint.scope !== "PRIVATE") hint.scope = "PUBLIC";
    // `no-store` and `no-cache` forbid reuse whatever else the header says
    else if (name === "no-store" || name === "no-cache") return { maxAge: 0 };
  }
  return hint;
}

/**
 * Narrows a client request's cache policy by one subgraph call's outcome: the client's answer is never cacheable for
 * longer, or more widely, than any subgraph answer in it; a call that failed (its fields are null with errors) makes
 * it not cacheable at all. Calls without a client request (schema loads, health checks) have no policy to narrow.
 */
export function restrictCachePolicy(policy: GatewayCachePolicy | undefined, outcome: CallOutcome): void {
  if (!policy || typeof policy.restrict !== "function") return;
  policy.restrict(outcome.kind === "answered" ? cacheHintOf(outcome.cacheControl) : { maxAge: 0 });
}
