// What the users subgraph's resolvers receive as parents: rows as the database stores them.
export type { User as UserRecord } from "./generated/client.ts";
