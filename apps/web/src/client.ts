// The GraphQL client: urql with its document cache, the session's tokens (refreshed when they expire), and, where the
// router serves this build's manifest, persisted operations sent by id instead of text.
import { authExchange } from "@urql/exchange-auth";
import { persistedExchange } from "@urql/exchange-persisted";
import { Client, cacheExchange, fetchExchange, type Operation } from "urql";
import { RefreshMutation, sessionOf } from "./auth.ts";
import type { AppConfig } from "./config.ts";
import type { SessionStore } from "./session.ts";

/** Refresh this long before the access token expires, so no request goes out with a token about to lapse. */
const refreshMarginMs = 30_000;

const isRefresh = (operation: Operation) =>
  operation.query.definitions.some((definition) => definition.kind === "OperationDefinition" && definition.name?.value === "Refresh");

export function createShopClient(config: AppConfig, sessions: SessionStore): Client {
  return new Client({
    url: config.graphqlUrl,
    // POST everywhere: the router's CSRF prevention refuses a GET without a preflight header.
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      authExchange(async (utils) => ({
        addAuthToOperation(operation) {
          const session = sessions.get();
          // The refresh goes out without the access token: the router refuses a request whose token it cannot verify.
          if (!session || isRefresh(operation)) return operation;
          return utils.appendHeaders(operation, { Authorization: `Bearer ${session.accessToken}` });
        },
        willAuthError(operation) {
          const session = sessions.get();
          return !!session && !isRefresh(operation) && Date.parse(session.accessTokenExpiresAt) - Date.now() < refreshMarginMs;
        },
        didAuthError(error) {
          return !!sessions.get() && error.graphQLErrors.some((e) => e.extensions.code === "UNAUTHENTICATED");
        },
        async refreshAuth() {
          const session = sessions.get();
          if (!session) return;
          const result = await utils.mutate(RefreshMutation, { refreshToken: session.refreshToken });
          if (result.data) sessions.set(sessionOf(result.data.refresh));
          // A refresh token the API refuses (expired, used twice, signed out elsewhere) ends the session here too;
          // an unreachable API does not.
          else if (result.error?.graphQLErrors.length) sessions.clear();
        },
      })),
      ...(config.persistedDocuments
        ? [
            persistedExchange({
              // Ids only: the router knows every operation of this build from its manifest, so no text is ever sent.
              enforcePersistedQueries: true,
              enableForMutation: true,
              preferGetForPersistedQueries: false,
              generateHash: async (_query, document) => (document as { __meta__?: { hash?: string } }).__meta__?.hash,
            }),
          ]
        : []),
      fetchExchange,
    ],
  });
}
