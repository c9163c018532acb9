import type { CartRecord } from "../data/records.ts";

/** A user who never added anything has an empty cart; it is not stored until the first item. */
export function emptyCart(userId: string): CartRecord {
  return { id: `empty:${userId}`, userId, updatedAt: null };
}
