import { randomUUID } from "node:crypto";
import type { Viewer } from "@storefront/auth";
import { defineSubgraph } from "@storefront/runtime";
import { graphqlRequest, type TestSubgraph } from "@storefront/testkit";
import { hashPassword } from "../src/auth/passwords.ts";
import type { PrismaClient, Role } from "../src/data/generated/client.ts";
import type { UserRecord } from "../src/data/records.ts";
import { usersSettingsFromEnv } from "../src/env.ts";
import { usersSubgraph } from "../src/index.ts";
import { createUsersSubgraph } from "../src/server.ts";

export type Users = TestSubgraph<PrismaClient>;

/** A password that passes validation; tests that sign in use it unless they say otherwise. */
export const PASSWORD = "correct horse battery staple";

export const anEmail = (label = "someone") => `${label}-${randomUUID().slice(0, 8)}@example.com`;

/** A client address of its own (IPv6 documentation range), so tests do not share throttle counts. */
export const aClientAddress = () => `2001:db8::${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}`;

/** An account straight in the database; with `password` it can sign in. */
export async function aUser(
  prisma: PrismaClient,
  overrides: { name?: string; role?: Role; email?: string; password?: string; createdAt?: Date } = {},
): Promise<UserRecord> {
  const { passwordHash: _hidden, ...user } = await prisma.user.create({
    data: {
      email: overrides.email ?? anEmail(),
      name: overrides.name ?? "Sam",
      role: overrides.role ?? "CUSTOMER",
      passwordHash: overrides.password === undefined ? null : await hashPassword(overrides.password),
      ...(overrides.createdAt ? { createdAt: overrides.createdAt } : {}),
    },
  });
  return user;
}

/** How an in-process operation runs as a user (what the runtime derives from a verified token). */
export const as = (user: { id: string; role: Role }): { viewer: Viewer } => ({
  viewer: { userId: user.id, role: user.role, scopes: user.role === "ADMIN" ? ["admin"] : [] },
});

/** The users module with other settings (the defaults come from the environment). */
export function usersModuleWith(overrides: Partial<ReturnType<typeof usersSettingsFromEnv>>) {
  return defineSubgraph({
    ...usersSubgraph,
    create: (deps) => createUsersSubgraph(deps, { ...usersSettingsFromEnv({}), ...overrides }),
  });
}

export const AUTH_FIELDS = "accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { id email name role }";

export type AuthPayload = {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: { id: string; email: string; name: string; role: Role };
};

export const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
export const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
export const REFRESH = `mutation($token: String!) { refresh(refreshToken: $token) { ${AUTH_FIELDS} } }`;

/** A GraphQL request over HTTP, as the router would send it (optionally with a client address and a token). */
export function overHttp<Data>(
  users: Users,
  query: string,
  variables: Record<string, unknown>,
  { client, accessToken }: { client?: string; accessToken?: string } = {},
) {
  return graphqlRequest<Data>(users.url, query, variables, {
    ...(client ? { "x-forwarded-for": client } : {}),
    ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
  });
}

/** The JWKS URL next to the subgraph's GraphQL URL. */
export const jwksUrlOf = (users: Users) => new URL("/.well-known/jwks.json", users.url);
