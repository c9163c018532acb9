import { canAccessUser, serviceScopes } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import type { UsersContext } from "../context.ts";
import type { UserResolvers } from "../generated/resolvers-types.ts";

/**
 * Private fields resolve for the user themself and admins (and, for the address book, the checkout with scope
 * users:addresses:read); anyone else gets null and FORBIDDEN for that field.
 */
function assertMayReadPrivate({ viewer, signedIn }: UsersContext, userId: string, field: string, serviceScope?: string): void {
  if (!canAccessUser(viewer, userId, serviceScope) && signedIn.userId !== userId) {
    throw ErrorCode.FORBIDDEN.err(`Only the user themself or an admin may see ${field}.`, { extensions: { field } });
  }
}

export const User: UserResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.userById.load(reference.id),

  email(user, _args, context) {
    assertMayReadPrivate(context, user.id, "email");
    return user.email;
  },

  addresses(user, _args, context) {
    assertMayReadPrivate(context, user.id, "addresses", serviceScopes.readAddresses);
    return context.loaders.addressesByUserId.load(user.id);
  },

  async defaultAddress(user, _args, context) {
    assertMayReadPrivate(context, user.id, "defaultAddress", serviceScopes.readAddresses);
    const book = await context.loaders.addressesByUserId.load(user.id);
    return book.find((address) => address.isDefault) ?? null;
  },
};
