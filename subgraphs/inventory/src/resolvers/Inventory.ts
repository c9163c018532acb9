import { availableUnits } from "../domain/stock.ts";
import type { InventoryResolvers } from "../generated/resolvers-types.ts";

export const Inventory: InventoryResolvers = {
  available: (inventory) => availableUnits(inventory),
};
