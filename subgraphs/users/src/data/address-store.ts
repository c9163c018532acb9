import { isUuid, uuidsOnly } from "@storefront/service";
import type { AddressFields } from "../domain/addresses.ts";
import type { Prisma, PrismaClient } from "./generated/client.ts";
import type { AddressRecord } from "./records.ts";

/** Default first, then in the order they were added. */
const addressBookOrder: Prisma.AddressOrderByWithRelationInput[] = [{ isDefault: "desc" }, { createdAt: "asc" }, { id: "asc" }];

/** Serializes changes to one user's address book (count limit, the single default). */
async function lockAddressBook(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM user_account WHERE id = ${userId}::uuid FOR UPDATE`;
}

/** Address books. Every change names the owner: an address of another user is never touched. */
export function createAddressStore(prisma: PrismaClient) {
  return {
    addressesOfUsers: (userIds: readonly string[]): Promise<AddressRecord[]> =>
      prisma.address.findMany({ where: { userId: { in: uuidsOnly(userIds) } }, orderBy: addressBookOrder }),

    /** Adds an address, the default when it is the first; null when the book already holds `limit` addresses. */
    add: (userId: string, fields: AddressFields, limit: number): Promise<AddressRecord | null> =>
      prisma.$transaction(async (tx) => {
        await lockAddressBook(tx, userId);
        const count = await tx.address.count({ where: { userId } });
        if (count >= limit) return null;
        return tx.address.create({ data: { ...fields, userId, isDefault: count === 0 } });
      }),

    /** Replaces the fields of the owner's address; null when the owner has no such address. */
    async update(userId: string, id: string, fields: AddressFields): Promise<AddressRecord | null> {
      if (!isUuid(id)) return null;
      const { count } = await prisma.address.updateMany({ where: { id, userId }, data: fields });
      return count === 0 ? null : prisma.address.findUnique({ where: { id } });
    },

    /** Removes the owner's address; a removed default passes to the most recently added remaining one. */
    remove: (userId: string, id: string): Promise<boolean> =>
      isUuid(id)
        ? prisma.$transaction(async (tx) => {
            await lockAddressBook(tx, userId);
            const removed = await tx.address.deleteMany({ where: { id, userId } });
            if (removed.count === 0) return false;
            const hasDefault = (await tx.address.count({ where: { userId, isDefault: true } })) > 0;
            if (!hasDefault) {
              const successor = await tx.address.findFirst({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
              if (successor) await tx.address.update({ where: { id: successor.id }, data: { isDefault: true } });
            }
            return true;
          })
        : Promise.resolve(false),

    /** Makes the owner's address the only default; null when the owner has no such address. */
    setDefault: (userId: string, id: string): Promise<AddressRecord | null> =>
      isUuid(id)
        ? prisma.$transaction(async (tx) => {
            await lockAddressBook(tx, userId);
            const address = await tx.address.findFirst({ where: { id, userId } });
            if (!address) return null;
            // Clear the old default first: the partial unique index allows one default per user at any moment.
            await tx.address.updateMany({ where: { userId, isDefault: true, NOT: { id } }, data: { isDefault: false } });
            return tx.address.update({ where: { id }, data: { isDefault: true } });
          })
        : Promise.resolve(null),
  };
}

export type AddressStore = ReturnType<typeof createAddressStore>;
