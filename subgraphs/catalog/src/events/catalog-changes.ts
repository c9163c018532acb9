import { createEvent, type EventData, enqueueEvent, type SqlClient } from "@storefront/events";

/** What changed about a product, as catalog.product_changed.v1 names it. */
export type ProductChange = EventData<"catalog.product_changed.v1">["changes"][number];
/** What changed about a category, as catalog.category_changed.v1 names it. */
export type CategoryChange = EventData<"catalog.category_changed.v1">["changes"][number];

const source = "/storefront/catalog";

/**
 * Writes catalog.product_changed.v1 to the outbox in the transaction that changed the product (call it after the
 * change): the router's response cache drops catalog answers when it arrives, so a changed price or a product taken
 * off sale is not served from a cache for longer than the event takes to travel.
 */
export async function announceProductChanged(tx: SqlClient, productId: string, changes: readonly ProductChange[]): Promise<void> {
  if (changes.length === 0) return;
  const data = { productId, changes: [...changes], changedAt: new Date().toISOString() };
  await enqueueEvent(tx, createEvent({ type: "catalog.product_changed.v1", source, data }));
}

/** Writes catalog.category_changed.v1 to the outbox in the transaction that changed the category (after the change). */
export async function announceCategoryChanged(tx: SqlClient, categoryId: string, changes: readonly CategoryChange[]): Promise<void> {
  if (changes.length === 0) return;
  const data = { categoryId, changes: [...changes], changedAt: new Date().toISOString() };
  await enqueueEvent(tx, createEvent({ type: "catalog.category_changed.v1", source, data }));
}
