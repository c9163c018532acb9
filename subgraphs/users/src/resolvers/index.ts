import { scalarResolvers } from "@storefront/service";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { Mutation } from "./Mutation.ts";
import { Query } from "./Query.ts";
import { User } from "./User.ts";

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  EmailAddress: scalarResolvers.EmailAddress,
  Query,
  Mutation,
  User,
};
