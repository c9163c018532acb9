import { ErrorCode } from "@storefront/errors";
import { isUuid } from "./ids.ts";

/** Page-size rules shared by every Relay connection in the graph. */
export interface PageRequest {
  readonly first: number;
  readonly after: string | null;
}

const CURSOR_PREFIX = "c1:";

/** Cursors are opaque to clients; versioned so their format can change without breaking old ones silently. */
export function encodeCursor(key: string): string {
  return Buffer.from(CURSOR_PREFIX + key, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, "base64url").toString("utf8");
  // Every connection in the graph is keyed by row id (a UUID).
  if (!decoded.startsWith(CURSOR_PREFIX) || !isUuid(decoded.slice(CURSOR_PREFIX.length))) {
    throw ErrorCode.BAD_USER_INPUT.err("`after` is not a cursor returned by this API.", { extensions: { argument: "after" } });
  }
  return decoded.slice(CURSOR_PREFIX.length);
}

/** Validates `first`/`after` and decodes the cursor into the key it wraps. */
export function pageRequest(args: { first?: number | null; after?: string | null }, max = 100): PageRequest {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw ErrorCode.BAD_USER_INPUT.err(`\`first\` must be between 1 and ${max}.`, { extensions: { argument: "first" } });
  }
  return { first, after: args.after ? decodeCursor(args.after) : null };
}

/** Builds a connection from one extra-row fetch: `rows` may hold first + 1 items. */
export function connectionFrom<T>(rows: readonly T[], request: PageRequest, keyOf: (row: T) => string, totalCount: number) {
  const page = rows.slice(0, request.first);
  const edges = page.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > request.first,
      hasPreviousPage: request.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
