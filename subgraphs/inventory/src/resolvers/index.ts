import { scalarResolvers } from "@storefront/service";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { Inventory } from "./Inventory.ts";
import { Product } from "./Product.ts";

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  Product,
  Inventory,
};
