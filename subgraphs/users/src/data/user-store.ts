import { isUniqueViolation } from "@storefront/db";
import { type PageRequest, uuidsOnly } from "@storefront/service";
import type { Prisma, PrismaClient, Role } from "./generated/client.ts";
import { type UserRecord, withoutPasswordHash } from "./records.ts";

/** Which users an admin lists; both conditions optional. */
export interface UserFilter {
  readonly role?: Role | null;
  /** Already lower-cased. */
  readonly emailPrefix?: string | null;
}

/** An account with the password hash, for the few places that check a password. */
export interface UserCredentials {
  readonly user: UserRecord;
  readonly passwordHash: string | null;
}

// Prisma's startsWith becomes LIKE '<value>%' without escaping: a `_` or `%` in the prefix would be a wildcard.
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function credentials({ passwordHash, ...user }: UserRecord & { passwordHash: string | null }): UserCredentials {
  return { user, passwordHash };
}

/** Accounts: profiles, roles and passwords. */
export function createUserStore(prisma: PrismaClient) {
  return {
    usersByIds: (ids: readonly string[]): Promise<UserRecord[]> =>
      prisma.user.findMany({ where: { id: { in: uuidsOnly(ids) } }, omit: withoutPasswordHash }),

    /** Users oldest first; fetches one extra row so the caller knows whether more follow. */
    async usersPage(page: PageRequest, filter: UserFilter = {}): Promise<{ rows: UserRecord[]; totalCount: number }> {
      const where: Prisma.UserWhereInput = {
        ...(filter.role ? { role: filter.role } : {}),
        ...(filter.emailPrefix ? { email: { startsWith: likeLiteral(filter.emailPrefix) } } : {}),
      };
      const [rows, totalCount] = await Promise.all([
        prisma.user.findMany({
          where,
          omit: withoutPasswordHash,
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          take: page.first + 1,
          ...(page.after ? { cursor: { id: page.after }, skip: 1 } : {}),
        }),
        prisma.user.count({ where }),
      ]);
      return { rows, totalCount };
    },

    async credentialsByEmail(email: string): Promise<UserCredentials | null> {
      const row = await prisma.user.findUnique({ where: { email } });
      return row ? credentials(row) : null;
    },

    async credentialsById(id: string): Promise<UserCredentials | null> {
      const row = await prisma.user.findUnique({ where: { id } });
      return row ? credentials(row) : null;
    },

    /** A new customer account; null when the e-mail address already has one. */
    async createCustomer(account: { email: string; name: string; passwordHash: string }): Promise<UserRecord | null> {
      try {
        return await prisma.user.create({
          data: { ...account, role: "CUSTOMER", passwordChangedAt: new Date() },
          omit: withoutPasswordHash,
        });
      } catch (error) {
        if (isUniqueViolation(error)) return null;
        throw error;
      }
    },

    updateName: (id: string, name: string): Promise<UserRecord> =>
      prisma.user.update({ where: { id }, data: { name }, omit: withoutPasswordHash }),

    /** Stores a stronger hash of the same password (after its parameters were raised). */
    async upgradePasswordHash(id: string, passwordHash: string): Promise<void> {
      await prisma.user.update({ where: { id }, data: { passwordHash } });
    },

    /** Sets a new password and ends every session of the account, in one transaction. */
    async replacePassword(id: string, passwordHash: string): Promise<void> {
      const now = new Date();
      await prisma.$transaction([
        prisma.user.update({ where: { id }, data: { passwordHash, passwordChangedAt: now } }),
        prisma.refreshTokenFamily.updateMany({
          where: { userId: id, endedAt: null },
          data: { endedAt: now, endReason: "PASSWORD_CHANGED" },
        }),
      ]);
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
