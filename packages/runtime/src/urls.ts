import { defaultSubgraphPorts } from "@storefront/service";

export { defaultSubgraphPorts };

/** Subgraph URLs from `<NAME>_URL` variables (as the router reads them), else the default local ports. */
export function subgraphUrlsFromEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(defaultSubgraphPorts).map(([name, port]) => [
      name,
      env[`${name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${port}/graphql`,
    ]),
  );
}

/** Where the users subgraph publishes its signing keys: JWKS_URL, else next to the users subgraph's URL. */
export function jwksUrlOf(subgraphUrls: Readonly<Record<string, string>>, env: Record<string, string | undefined> = process.env): URL {
  if (env.JWKS_URL) return new URL(env.JWKS_URL);
  return new URL("/.well-known/jwks.json", subgraphUrls.users ?? `http://127.0.0.1:${defaultSubgraphPorts.users}/graphql`);
}

/** The users subgraph's OAuth 2.0 token endpoint (service tokens): TOKEN_URL, else next to the users subgraph's URL. */
export function tokenUrlOf(subgraphUrls: Readonly<Record<string, string>>, env: Record<string, string | undefined> = process.env): URL {
  if (env.TOKEN_URL) return new URL(env.TOKEN_URL);
  return new URL("/oauth/token", subgraphUrls.users ?? `http://127.0.0.1:${defaultSubgraphPorts.users}/graphql`);
}
