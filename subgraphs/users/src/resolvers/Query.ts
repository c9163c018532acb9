import { requireAdmin, requireSelfOrAdmin, requireViewer } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import { connectionFrom, isUuid, pageRequest } from "@storefront/service";
import { normalizeEmail } from "../domain/credentials.ts";
import type { QueryResolvers } from "../generated/resolvers-types.ts";

export const Query: QueryResolvers = {
  async me(_parent, _args, { viewer, loaders }) {
    const { userId } = requireViewer(viewer);
    const user = await loaders.userById.load(userId);
    if (!user) throw ErrorCode.UNAUTHENTICATED.err("This account no longer exists; sign in again.");
    return user;
  },

  user(_parent, { id }, { viewer, loaders }) {
    requireSelfOrAdmin(viewer, id);
    return isUuid(id) ? loaders.userById.load(id) : null;
  },

  async users(_parent, { first, after, filter }, { viewer, users, loaders }) {
    requireAdmin(viewer);
    const page = pageRequest({ first, after });
    const emailPrefix = filter?.emailPrefix ? normalizeEmail(filter.emailPrefix) : null;
    if (emailPrefix && emailPrefix.length > 254) {
      throw ErrorCode.BAD_USER_INPUT.err("`filter.emailPrefix` is longer than any e-mail address.", {
        extensions: { argument: "filter.emailPrefix" },
      });
    }
    const { rows, totalCount } = await users.usersPage(page, { role: filter?.role ?? null, emailPrefix });
    for (const row of rows) loaders.userById.prime(row.id, row);
    return connectionFrom(rows, page, (user) => user.id, totalCount);
  },

  signingKeys(_parent, _args, { viewer, keys }) {
    requireAdmin(viewer);
    return keys.publishedKeys();
  },
};
