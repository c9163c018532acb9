import { scalarResolvers } from "@storefront/service";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { Inventory } from "./Inventory.ts";
import { Mutation } from "./Mutation.ts";
import { Product } from "./Product.ts";
import { Query } from "./Query.ts";
import { StockChange } from "./StockChange.ts";
import { StockMovement } from "./StockMovement.ts";
import { StockReservation, StockReservationLine } from "./StockReservation.ts";

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  Query,
  Mutation,
  Product,
  Inventory,
  StockMovement,
  StockChange,
  StockReservation,
  StockReservationLine,
};
