import { fileURLToPath } from "node:url";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { defineSubgraph } from "@storefront/runtime";
import { PrismaClient } from "./data/generated/client.ts";
import { seedDemoUsers } from "./data/seed.ts";
import { createUsersSubgraph } from "./server.ts";

/** The users subgraph: accounts, roles, credentials, sessions, address books and the JWKS. */
export const usersSubgraph = defineSubgraph({
  name: "users",
  defaultPort: 4001,
  schemaDir: fileURLToPath(new URL("../../../prisma/users", import.meta.url)),
  publishesEvents: false,
  createPrisma: (adapter: SqlDriverAdapterFactory) => new PrismaClient({ adapter }),
  create: (deps) => createUsersSubgraph(deps),
  seedDemo: seedDemoUsers,
});

export type { PrismaClient as UsersPrisma } from "./data/generated/client.ts";
export { demoPasswords } from "./data/seed.ts";
export { rotateSigningKey } from "./data/signing-key-rotation.ts";
export { usersSettingsShape } from "./env.ts";
