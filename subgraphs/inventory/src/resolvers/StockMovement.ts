import { movementEffect } from "../domain/stock.ts";
import type { StockMovementResolvers } from "../generated/resolvers-types.ts";

/** How the ledger names changes inventory made by itself, in reaction to order events. */
export const SYSTEM_ACTOR = "system:inventory";

export const StockMovement: StockMovementResolvers = {
  onHandChange: (movement) => movementEffect(movement.kind, movement.quantity).onHand,
  reservedChange: (movement) => movementEffect(movement.kind, movement.quantity).reserved,
  actor: (movement) => movement.actorId ?? SYSTEM_ACTOR,
};
