import { requireAdmin } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import { isUuid } from "@storefront/service";
import type { InventoryContext } from "../context.ts";
import { validateReservationRequest } from "../domain/reservation-plan.ts";
import { noteOf, planAdjustment, planStockTake, validateAdjustment, validateStockTake } from "../domain/stock.ts";
import type { MutationResolvers } from "../generated/resolvers-types.ts";
import { requireReservationRights } from "./access.ts";

// The same rule as the reason codes of events: snake_case, short.
const REASON_CODE = /^[a-z][a-z0-9_]{0,63}$/;

function productIdOf(productId: string): string {
  if (!isUuid(productId)) {
    throw ErrorCode.BAD_USER_INPUT.err("input.productId is not a product id.", { extensions: { argument: "input.productId" } });
  }
  return productId;
}

function orderIdOf(orderId: string): string {
  if (!isUuid(orderId)) throw ErrorCode.BAD_USER_INPUT.err("orderId is not an order id (a UUID).", { extensions: { argument: "orderId" } });
  return orderId;
}

/** Stock of a product inventory never had may only be created for a product the catalog knows. */
async function requireKnownProduct(productId: string, { stockChanges, catalog, requestId }: InventoryContext): Promise<void> {
  if (await stockChanges.isStocked(productId)) return;
  // a misconfiguration, not the caller's fault: fail loudly (masked as INTERNAL_SERVER_ERROR in production)
  if (!catalog) throw new Error("inventory needs the catalog subgraph's URL (CATALOG_URL) to stock a new product");
  if (!(await catalog.productExists(productId, requestId))) {
    throw ErrorCode.NOT_FOUND.err(`Product ${productId} does not exist.`, { extensions: { productId } });
  }
}

export const Mutation: MutationResolvers = {
  async adjustStock(_parent, { input }, context) {
    const admin = requireAdmin(context.viewer);
    const productId = productIdOf(input.productId);
    const change = { delta: input.delta, reason: input.reason, note: noteOf(input.note) };
    validateAdjustment(change);
    await requireKnownProduct(productId, context);
    return context.stockChanges.change(productId, admin.userId, (stock) => planAdjustment(stock, change));
  },

  async setStockLevel(_parent, { input }, context) {
    const admin = requireAdmin(context.viewer);
    const productId = productIdOf(input.productId);
    const note = noteOf(input.note);
    validateStockTake(input.onHand);
    await requireKnownProduct(productId, context);
    return context.stockChanges.change(productId, admin.userId, (stock) => planStockTake(stock, input.onHand, note));
  },

  async reserveStock(_parent, { input }, { viewer, reservations }) {
    const caller = requireReservationRights(viewer);
    validateReservationRequest(input);
    const { reservation } = await reservations.reserve({ orderId: input.orderId, items: input.items }, caller.userId);
    return reservation;
  },

  async releaseStock(_parent, args, { viewer, reservations }) {
    const caller = requireReservationRights(viewer);
    const orderId = orderIdOf(args.orderId);
    const reason = args.reason ?? "released";
    if (!REASON_CODE.test(reason)) {
      throw ErrorCode.BAD_USER_INPUT.err("reason must be a snake_case code of at most 64 characters, e.g. checkout_abandoned.", {
        extensions: { argument: "reason" },
      });
    }
    const { reservation } = await reservations.release(orderId, reason, caller.userId);
    return reservation;
  },

  async commitStock(_parent, args, { viewer, reservations }) {
    const caller = requireReservationRights(viewer);
    const { reservation } = await reservations.commit(orderIdOf(args.orderId), caller.userId);
    return reservation;
  },
};
