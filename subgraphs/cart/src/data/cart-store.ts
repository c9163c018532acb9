import { isUniqueViolation } from "@storefront/db";
import { isUuid, uuidsOnly } from "@storefront/service";
import { cartIdOf } from "../domain/cart-id.ts";
import type { PrismaClient } from "./generated/client.ts";
import type { CartItemRecord, CartRecord, CartTransaction } from "./records.ts";

// Every write locks the user's cart row first (and only then touches its items), so the changes to one cart
// run one after another, and in one lock order: the line-count limit holds, and no two writers deadlock.

/** Locks a user's cart row until the transaction ends; null when the user has no stored cart. */
export async function lockCart(tx: CartTransaction, userId: string): Promise<string | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM cart WHERE user_id = ${userId}::uuid FOR NO KEY UPDATE`;
  return rows[0]?.id ?? null;
}

/** Marks a cart as changed now. */
export async function touchCart(tx: CartTransaction, cartId: string): Promise<void> {
  await tx.$executeRaw`UPDATE cart SET updated_at = now() WHERE id = ${cartId}::uuid`;
}

/** What addUnits did. */
export type AddUnitsOutcome =
  | { readonly outcome: "added"; readonly quantity: number }
  | { readonly outcome: "too_many_lines" }
  | { readonly outcome: "over_limit"; readonly inCart: number };

/** Thrown inside a transaction to roll it back, and turned into the outcome it carries. */
class Refusal extends Error {
  readonly outcome: AddUnitsOutcome;
  constructor(outcome: AddUnitsOutcome) {
    super(outcome.outcome);
    this.outcome = outcome;
  }
}

export interface AddUnits {
  readonly userId: string;
  readonly productId: string;
  readonly quantity: number;
  /** The most units the line may hold after the addition. */
  readonly limit: number;
  /** The most different products the cart may hold. */
  readonly maxLines: number;
}

const itemOrder = [{ addedAt: "asc" as const }, { productId: "asc" as const }];

/** Every read and write the cart subgraph's resolvers make; the only module (with checkout-store) that talks to its database. */
export function createCartStore(prisma: PrismaClient) {
  /** One try of addUnits, in one transaction. */
  async function addUnitsOnce({ userId, productId, quantity, limit, maxLines }: AddUnits): Promise<AddUnitsOutcome> {
    try {
      return await prisma.$transaction(async (tx) => {
        const [cart] = await tx.$queryRaw<{ id: string }[]>`
            INSERT INTO cart (id, user_id, updated_at) VALUES (${cartIdOf(userId)}::uuid, ${userId}::uuid, now())
            ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at
            RETURNING id::text AS id`;
        if (!cart) throw new Error(`could not store the cart of user ${userId}`);
        const [{ others } = { others: 0 }] = await tx.$queryRaw<{ others: number }[]>`
            SELECT count(*)::int AS others FROM cart_item WHERE cart_id = ${cart.id}::uuid AND product_id <> ${productId}::uuid`;
        if (others >= maxLines) throw new Refusal({ outcome: "too_many_lines" });
        const [line] = await tx.$queryRaw<{ quantity: number }[]>`
            INSERT INTO cart_item (cart_id, product_id, quantity)
            SELECT ${cart.id}::uuid, ${productId}::uuid, ${quantity}::int WHERE ${quantity}::int <= ${limit}::int
            ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = cart_item.quantity + excluded.quantity
              WHERE cart_item.quantity + excluded.quantity <= ${limit}::int
            RETURNING quantity`;
        if (!line) {
          const [current] = await tx.$queryRaw<{ quantity: number }[]>`
              SELECT quantity FROM cart_item WHERE cart_id = ${cart.id}::uuid AND product_id = ${productId}::uuid`;
          throw new Refusal({ outcome: "over_limit", inCart: current?.quantity ?? 0 });
        }
        return { outcome: "added", quantity: line.quantity } as const;
      });
    } catch (error) {
      if (error instanceof Refusal) return error.outcome;
      throw error;
    }
  }

  return {
    cartsByUserIds: (userIds: readonly string[]): Promise<CartRecord[]> =>
      prisma.cart.findMany({ where: { userId: { in: uuidsOnly(userIds) } }, select: { id: true, userId: true, updatedAt: true } }),

    itemsByCartIds: (cartIds: readonly string[]): Promise<CartItemRecord[]> =>
      prisma.cartItem.findMany({ where: { cartId: { in: uuidsOnly(cartIds) } }, orderBy: itemOrder }),

    /** A user's items as they are now, in one statement. */
    itemsOfUser: async (userId: string): Promise<CartItemRecord[]> =>
      isUuid(userId) ? prisma.cartItem.findMany({ where: { cart: { userId } }, orderBy: itemOrder }) : [],

    /**
     * Adds units to a line (creating the cart and the line when missing) in one atomic upsert: concurrent additions
     * add up, and the line's new quantity is checked against `limit` in the same statement. Changes nothing unless
     * it returns "added".
     */
    async addUnits(addition: AddUnits): Promise<AddUnitsOutcome> {
      try {
        return await addUnitsOnce(addition);
      } catch (error) {
        // Two first additions for one user can both find no cart and both insert it: PostgreSQL resolves the
        // conflict on user_id (the arbiter) but not the one on the primary key (the same derived id), which the
        // later insert then fails with. The cart exists once the earlier one commits, so one more try adds to it.
        if (!isUniqueViolation(error)) throw error;
        return addUnitsOnce(addition);
      }
    },

    /** Sets a line's quantity; false (and nothing changed) when the product is not in the user's cart. */
    setQuantity: ({ userId, productId, quantity }: { userId: string; productId: string; quantity: number }): Promise<boolean> =>
      prisma.$transaction(async (tx) => {
        const cartId = await lockCart(tx, userId);
        if (!cartId) return false;
        const updated = await tx.$executeRaw`
          UPDATE cart_item SET quantity = ${quantity}::int WHERE cart_id = ${cartId}::uuid AND product_id = ${productId}::uuid`;
        if (updated === 0) return false;
        await touchCart(tx, cartId);
        return true;
      }),

    /** Takes a product out of a user's cart; true when it was there. */
    removeLine: ({ userId, productId }: { userId: string; productId: string }): Promise<boolean> =>
      prisma.$transaction(async (tx) => {
        const cartId = await lockCart(tx, userId);
        if (!cartId) return false;
        const removed = await tx.$executeRaw`DELETE FROM cart_item WHERE cart_id = ${cartId}::uuid AND product_id = ${productId}::uuid`;
        if (removed > 0) await touchCart(tx, cartId);
        return removed > 0;
      }),

    /** Takes every product out of a user's cart; how many lines there were. */
    removeAllLines: (userId: string): Promise<number> =>
      prisma.$transaction(async (tx) => {
        const cartId = await lockCart(tx, userId);
        if (!cartId) return 0;
        const removed = await tx.$executeRaw`DELETE FROM cart_item WHERE cart_id = ${cartId}::uuid`;
        if (removed > 0) await touchCart(tx, cartId);
        return removed;
      }),
  };
}

export type CartStore = ReturnType<typeof createCartStore>;
