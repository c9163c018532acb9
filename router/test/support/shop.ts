// A small supergraph of two test subgraphs whose schemas use every shape of @authenticated and
// @requiresScopes the router must enforce, so router tests do not depend on the real subgraphs' SDL.
import type { IncomingMessage } from "node:http";
import { composeServices } from "@apollo/composition";
import { createAccessTokenVerifier, type Viewer, viewerFromAuthorization } from "@storefront/auth";
import { type BaseContext, createGraphQLHttpServer, createSubgraphServer, type RunningHttpServer, silentLogger } from "@storefront/service";
import { type DocumentNode, parse } from "graphql";

const federation = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.12", import: ["@key", "@shareable", "@authenticated", "@requiresScopes"])`;

export const accountsSdl = `${federation}

type Query {
  shopName: String!
  me: User @authenticated
  user(id: ID!): User
  users: [User!]! @requiresScopes(scopes: [["admin"]])
  reports: [Report!]
  search: [SearchResult!]!
  secretCount: Int! @authenticated
  listings: [Listing!]!
  seenHeaders: SeenHeaders
}

type Mutation {
  ping: String!
  resetPasswords: Int! @requiresScopes(scopes: [["admin"]])
}

type User @key(fields: "id") {
  id: ID!
  name: String!
  email: String @authenticated
  audit: Audit @requiresScopes(scopes: [["admin"], ["support", "audit:read"]])
  internalNote: String! @requiresScopes(scopes: [["admin"]])
  profile: Profile!
}

type Profile {
  bio: String
  phone: String! @authenticated
}

type Audit {
  lastLogin: String
}

type Report @requiresScopes(scopes: [["admin"]]) {
  title: String
}

interface Listing {
  id: ID!
  title: String
  price: Int
}

type RetailListing implements Listing {
  id: ID!
  title: String
  price: Int
}

type WholesaleListing implements Listing {
  id: ID!
  title: String
  price: Int @requiresScopes(scopes: [["admin"]])
}

union SearchResult = Article | Memo

type Article {
  title: String
}

type Memo @authenticated {
  text: String
}

type SeenHeaders @shareable {
  requestId: String
  authorization: String
  forwardedFor: String
  viewerId: String
}
`;

export const ordersSdl = `${federation}

type User @key(fields: "id") {
  id: ID!
  orders: [Order!] @requiresScopes(scopes: [["admin"], ["orders:read"]])
  seenByOrders: SeenHeaders
}

type Order {
  id: ID!
  total: Int!
}

type SeenHeaders @shareable {
  requestId: String
  authorization: String
  forwardedFor: String
  viewerId: String
}
`;

interface ShopContext extends BaseContext {
  readonly headers: IncomingMessage["headers"];
}

interface UserRecord {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

export const alice: UserRecord = { id: "7f3c1a52-9d4e-4b8a-a1c6-2e5f8b9d0c31", name: "Alice", email: "alice@example.test" };
export const bob: UserRecord = { id: "2b8e4d61-0f7a-4c3b-9e25-6d1a7c8f4b90", name: "Bob", email: "bob@example.test" };
const users = [alice, bob];

function seenHeaders(context: ShopContext) {
  const header = (name: string) => {
    const value = context.headers[name];
    return Array.isArray(value) ? value.join(", ") : (value ?? null);
  };
  return {
    requestId: header("x-request-id"),
    authorization: header("authorization"),
    forwardedFor: header("x-forwarded-for"),
    viewerId: context.viewer?.userId ?? null,
  };
}

const userFields = {
  email: (user: UserRecord) => user.email,
  audit: (user: UserRecord) => ({ lastLogin: `${user.name} last logged in yesterday` }),
  internalNote: (user: UserRecord) => `note about ${user.name}`,
  profile: (user: UserRecord) => ({ bio: `${user.name}'s bio`, phone: "+1 555 0100" }),
};

const accountsResolvers = {
  Query: {
    shopName: () => "Test shop",
    me: (_: unknown, __: unknown, context: ShopContext) => users.find((user) => user.id === context.viewer?.userId) ?? null,
    user: (_: unknown, args: { id: string }) => users.find((user) => user.id === args.id) ?? null,
    users: () => users,
    reports: () => [{ title: "Q1" }, { title: "Q2" }],
    search: () => [
      { __typename: "Article", title: "Welcome" },
      { __typename: "Memo", text: "private" },
    ],
    secretCount: () => 42,
    listings: () => [
      { __typename: "RetailListing", id: "listing-1", title: "Mug", price: 1_200 },
      { __typename: "WholesaleListing", id: "listing-2", title: "Mugs by the crate", price: 50_000 },
    ],
    seenHeaders: (_: unknown, __: unknown, context: ShopContext) => seenHeaders(context),
  },
  Mutation: {
    ping: () => "pong",
    resetPasswords: () => users.length,
  },
  SearchResult: { __resolveType: (value: { __typename: string }) => value.__typename },
  Listing: { __resolveType: (value: { __typename: string }) => value.__typename },
  User: {
    __resolveReference: (reference: { id: string }) => users.find((user) => user.id === reference.id) ?? null,
    ...userFields,
  },
};

const ordersResolvers = {
  User: {
    __resolveReference: (reference: { id: string }) => reference,
    orders: (user: { id: string }) => [{ id: `${user.id}-order-1`, total: 1_000 }],
    seenByOrders: (_: unknown, __: unknown, context: ShopContext) => seenHeaders(context),
  },
};

export interface TestSubgraphService {
  readonly name: string;
  readonly url: string;
  readonly typeDefs: DocumentNode;
}

export interface TestShop {
  readonly subgraphs: readonly TestSubgraphService[];
  /** How many GraphQL requests reached a subgraph. */
  readonly requestsReceived: { count: number };
  readonly supergraphSdl: string;
  close(): Promise<void>;
}

/** Composes a supergraph as `npm run compose` does; `sdlOf` may change what a subgraph declares (e.g. add a directive). */
export function composeSupergraph(
  subgraphs: readonly TestSubgraphService[],
  sdlOf: (name: string) => string | undefined = () => undefined,
): string {
  const composed = composeServices(
    subgraphs.map((subgraph) => {
      const changed = sdlOf(subgraph.name);
      return changed ? { ...subgraph, typeDefs: parse(changed) } : subgraph;
    }),
  );
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join("\n"));
  return composed.supergraphSdl;
}

/** Starts both subgraphs over HTTP (each verifying tokens itself against `jwksUrl`) and composes their supergraph. */
export async function startTestShop(jwksUrl: URL): Promise<TestShop> {
  const verify = createAccessTokenVerifier({ jwks: jwksUrl, keyRefetchCooldownMs: 0 });
  const logger = silentLogger();
  const started: RunningHttpServer[] = [];
  const requestsReceived = { count: 0 };
  const serve = async (name: string, sdl: string, resolvers: object) => {
    const apollo = createSubgraphServer<ShopContext>({ name, typeDefs: parse(sdl), resolvers, logger, production: false });
    const http = createGraphQLHttpServer<ShopContext>({
      apollo,
      logger,
      context: async (req, requestId) => {
        requestsReceived.count++;
        const viewer: Viewer | null = await viewerFromAuthorization(req.headers.authorization, verify);
        return { requestId, logger, viewer, headers: req.headers };
      },
    });
    await apollo.start();
    const running = await http.listen(0);
    started.push(running);
    return { name, url: running.url, typeDefs: parse(sdl) };
  };
  const subgraphs = [await serve("accounts", accountsSdl, accountsResolvers), await serve("orders", ordersSdl, ordersResolvers)];
  return {
    subgraphs,
    requestsReceived,
    supergraphSdl: composeSupergraph(subgraphs),
    close: async () => {
      await Promise.all(started.map((server) => server.close()));
    },
  };
}
