// What the catalog's resolvers and event handlers work with: rows as the database stores them.
import type { Prisma } from "./generated/client.ts";

export type { Category as CategoryRecord, Product as ProductRecord } from "./generated/client.ts";

/** The transaction an event handler writes through (the consumer also records the event as processed in it). */
export type CatalogTransaction = Prisma.TransactionClient;
