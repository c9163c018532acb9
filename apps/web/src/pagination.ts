// "Load more" over a Relay connection: the first page comes from the page's useQuery (cached, refetched when a
// mutation changes what it shows), the pages after it are fetched on demand with the last page's endCursor.
import { useState } from "react";
import { type AnyVariables, type CombinedError, type TypedDocumentNode, useClient } from "urql";

export interface Connection<Edge> {
  readonly edges: readonly Edge[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor?: string | null };
}

/** Use it in a component keyed by the list's filter, so a new filter starts again from its first page. */
export function useMorePages<Data, Variables extends AnyVariables & { after?: string | null }, Edge>(options: {
  readonly query: TypedDocumentNode<Data, Variables>;
  readonly variables: Variables;
  readonly firstPage: Connection<Edge> | null | undefined;
  readonly connectionOf: (data: Data) => Connection<Edge> | null | undefined;
}) {
  const client = useClient();
  const [later, setLater] = useState<readonly Connection<Edge>[]>([]);
  const [fetching, setFetching] = useState(false);
  const [error, setError] = useState<CombinedError>();
  const pages = options.firstPage ? [options.firstPage, ...later] : [];
  const last = pages.at(-1);

  async function loadMore() {
    if (!last?.pageInfo.endCursor) return;
    setFetching(true);
    const result = await client
      .query(options.query, { ...options.variables, after: last.pageInfo.endCursor }, { requestPolicy: "network-only" })
      .toPromise();
    setFetching(false);
    setError(result.error);
    const page = result.data ? options.connectionOf(result.data) : undefined;
    if (page) setLater((pages) => [...pages, page]);
  }

  return { edges: pages.flatMap((page) => page.edges), hasMore: last?.pageInfo.hasNextPage ?? false, loadMore, fetching, error };
}
