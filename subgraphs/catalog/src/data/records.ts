// What the catalog's resolvers receive as parents: rows as the database stores them.
export type { Category as CategoryRecord, Product as ProductRecord } from "./generated/client.ts";
