import { scalarResolvers } from "@storefront/service";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { Cart } from "./Cart.ts";
import { CartItem } from "./CartItem.ts";
import { Mutation } from "./Mutation.ts";
import { Query } from "./Query.ts";
import { User } from "./User.ts";

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  CurrencyCode: scalarResolvers.CurrencyCode,
  Query,
  Mutation,
  User,
  Cart,
  CartItem,
};
