// What the cart subgraph's resolvers and event handlers work with.
import type { CartItem, Prisma } from "./generated/client.ts";

export type CartItemRecord = CartItem;

/** A stored cart, or the empty cart of a user who never added anything (not stored: updatedAt is null). */
export type CartRecord = { id: string; userId: string; updatedAt: Date | null };

/** Entities owned by other subgraphs are known here by their key only. */
export type UserReference = { id: string };
export type ProductReference = { id: string };

/** The transaction an event handler writes through (it also records the event as processed). */
export type CartTransaction = Prisma.TransactionClient;
