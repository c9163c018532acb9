// What the cart subgraph's resolvers receive as parents.
import type { Cart, CartItem } from "./generated/client.ts";

export type CartItemRecord = CartItem;

/** A stored cart, or the empty cart of a user who never added anything (not stored). */
export type CartRecord = Pick<Cart, "userId"> & { id: string; updatedAt: Date | null };

/** Entities owned by other subgraphs are known here by their key only. */
export type UserReference = { id: string };
export type ProductReference = { id: string };
