import { GraphQLScalarType } from "graphql";
import { CurrencyResolver, DateTimeResolver, EmailAddressResolver, UUIDResolver } from "graphql-scalars";

/** Custom scalars shared by the subgraphs; a scalar must behave the same in every subgraph that declares it. */
export const scalarResolvers = {
  DateTime: DateTimeResolver,
  EmailAddress: EmailAddressResolver,
  UUID: UUIDResolver,
  // graphql-scalars names it `Currency`; the graph calls it what it is, an ISO 4217 code.
  CurrencyCode: new GraphQLScalarType({ ...CurrencyResolver.toConfig(), name: "CurrencyCode" }),
} as const;
