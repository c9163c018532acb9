import type { IncomingMessage } from "node:http";
import { type BaseContext, clientAddressOf, createSubgraphServer, type Logger, loadTypeDefs } from "@storefront/service";
import { createAuthentication } from "./auth/authentication.ts";
import { createKeyRing } from "./auth/signing-keys.ts";
import type { UsersContext } from "./context.ts";
import { createAddressStore } from "./data/address-store.ts";
import type { PrismaClient } from "./data/generated/client.ts";
import { createUserLoaders } from "./data/loaders.ts";
import { createSessionStore } from "./data/session-store.ts";
import { createSigningKeyStore } from "./data/signing-key-store.ts";
import { createClientThrottle, createCredentialThrottle } from "./data/throttles.ts";
import { createUserStore } from "./data/user-store.ts";
import { type UsersSettings, usersSettingsFromEnv } from "./env.ts";
import { resolvers } from "./resolvers/index.ts";
import { JWKS_PATH, jwksRoute } from "./routes/jwks.ts";
import { TOKEN_PATH, tokenRoute } from "./routes/token.ts";

export interface UsersDeps {
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly production: boolean;
  /** Service client id → its secret, for the token endpoint (see @storefront/auth's service clients). */
  readonly serviceSecrets?: Readonly<Record<string, string>>;
}

export const typeDefs = loadTypeDefs(new URL("../schema.graphql", import.meta.url));

/** The users subgraph: its Apollo server, how to build a request's context, the JWKS and the service token endpoint. */
export function createUsersSubgraph(
  { prisma, logger, production, serviceSecrets = {} }: UsersDeps,
  settings: UsersSettings = usersSettingsFromEnv(),
) {
  const users = createUserStore(prisma);
  const addresses = createAddressStore(prisma);
  const keys = createKeyRing(createSigningKeyStore(prisma), settings);
  const authentication = createAuthentication({
    users,
    sessions: createSessionStore(prisma),
    keys,
    logins: createCredentialThrottle(prisma, "login", {
      perSubjectAndClient: settings.loginFailuresPerAccountAndClient,
      perClient: settings.loginFailuresPerClient,
      // An address that signed in within a session's lifetime may still hold that session: it is the owner's.
      perSubject: { failures: settings.loginFailuresPerAccount, knownClientSeconds: settings.refreshTokenTtlSeconds },
      windowSeconds: settings.loginFailureWindowSeconds,
    }),
    signups: createClientThrottle(prisma, "signup", { perClient: settings.signupsPerClient, windowSeconds: settings.signupWindowSeconds }),
    settings,
  });
  // Service secrets are at least 32 random characters, beyond guessing: no ceiling per client id across addresses,
  // which would let anyone who reaches the endpoint lock the checkout's client out.
  const tokenClients = createCredentialThrottle(prisma, "oauth", {
    perSubjectAndClient: settings.tokenFailuresPerClientId,
    perClient: settings.tokenFailuresPerAddress,
    perSubject: null,
    windowSeconds: settings.tokenFailureWindowSeconds,
  });
  const clientAddress = (req: IncomingMessage) => clientAddressOf(req, settings.trustedProxyHops);
  return {
    apollo: createSubgraphServer<UsersContext>({ name: "users", typeDefs, resolvers, logger, production }),
    context: (base: BaseContext, req: IncomingMessage): UsersContext => ({
      ...base,
      users,
      addresses,
      keys,
      authentication,
      loaders: createUserLoaders(users, addresses),
      clientAddress: clientAddress(req),
      signedIn: { userId: null },
    }),
    routes: {
      [JWKS_PATH]: jwksRoute(keys, logger),
      [TOKEN_PATH]: tokenRoute({
        keys,
        secrets: serviceSecrets,
        accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
        throttle: tokenClients,
        clientAddress,
        logger,
      }),
    },
  };
}
