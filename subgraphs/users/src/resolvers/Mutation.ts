import { requireAdmin, requireViewer } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import type { AuthPayload } from "../auth/authentication.ts";
import type { UsersContext } from "../context.ts";
import { MAX_ADDRESSES_PER_USER, validAddress } from "../domain/addresses.ts";
import { validName } from "../domain/credentials.ts";
import type { MutationResolvers } from "../generated/resolvers-types.ts";

const noSuchAddress = (id: string) =>
  ErrorCode.NOT_FOUND.err("Your address book has no address with this id.", { extensions: { argument: "id", id } });

/** The rest of the request acts as the user just signed in (see UsersContext.signedIn). */
async function signingIn(context: UsersContext, payload: Promise<AuthPayload>): Promise<AuthPayload> {
  const signedIn = await payload;
  context.signedIn.userId = signedIn.user.id;
  context.loaders.userById.prime(signedIn.user.id, signedIn.user);
  return signedIn;
}

export const Mutation: MutationResolvers = {
  register: (_parent, { input }, context) => signingIn(context, context.authentication.register(input, context.clientAddress)),

  login: (_parent, { input }, context) => signingIn(context, context.authentication.login(input, context.clientAddress)),

  refresh: (_parent, { refreshToken }, context) => signingIn(context, context.authentication.refresh(refreshToken)),

  logout: (_parent, { refreshToken }, { authentication }) => authentication.logout(refreshToken),

  changePassword: (_parent, { input }, context) =>
    signingIn(context, context.authentication.changePassword(context.viewer, input, context.clientAddress)),

  async updateProfile(_parent, { input }, { viewer, users, loaders }) {
    const { userId } = requireViewer(viewer);
    const name = validName(input.name, "input.name");
    if (!(await loaders.userById.load(userId))) throw ErrorCode.UNAUTHENTICATED.err("This account no longer exists; sign in again.");
    return users.updateName(userId, name);
  },

  async addAddress(_parent, { input }, { viewer, addresses }) {
    const { userId } = requireViewer(viewer);
    const added = await addresses.add(userId, validAddress(input), MAX_ADDRESSES_PER_USER);
    if (!added) {
      throw ErrorCode.CONFLICT.err(`An address book holds at most ${MAX_ADDRESSES_PER_USER} addresses; remove one first.`);
    }
    return added;
  },

  async updateAddress(_parent, { id, input }, { viewer, addresses }) {
    const { userId } = requireViewer(viewer);
    const updated = await addresses.update(userId, id, validAddress(input));
    if (!updated) throw noSuchAddress(id);
    return updated;
  },

  async removeAddress(_parent, { id }, { viewer, addresses }) {
    const { userId } = requireViewer(viewer);
    if (!(await addresses.remove(userId, id))) throw noSuchAddress(id);
    return id;
  },

  async setDefaultAddress(_parent, { id }, { viewer, addresses }) {
    const { userId } = requireViewer(viewer);
    const address = await addresses.setDefault(userId, id);
    if (!address) throw noSuchAddress(id);
    return address;
  },

  rotateSigningKey(_parent, _args, { viewer, keys }) {
    requireAdmin(viewer);
    return keys.rotate();
  },
};
