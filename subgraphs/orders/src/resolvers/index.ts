import { scalarResolvers } from "@storefront/service";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { Mutation } from "./Mutation.ts";
import { Order } from "./Order.ts";
import { OrderItem } from "./OrderItem.ts";
import { OrderStatusChange } from "./OrderStatusChange.ts";
import { Query } from "./Query.ts";
import { User } from "./User.ts";

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  CurrencyCode: scalarResolvers.CurrencyCode,
  Query,
  Mutation,
  Order,
  OrderItem,
  OrderStatusChange,
  User,
};
