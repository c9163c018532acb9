import { type PageRequest, uuidsOnly } from "@storefront/service";
import type { PrismaClient } from "./generated/client.ts";
import type { UserRecord } from "./records.ts";

/** Every read the users subgraph makes; the only module that talks to its database. */
export function createUserStore(prisma: PrismaClient) {
  return {
    usersByIds: (ids: readonly string[]): Promise<UserRecord[]> => prisma.user.findMany({ where: { id: { in: uuidsOnly(ids) } } }),

    /** Users oldest first; fetches one extra row so the caller knows whether more follow. */
    async usersPage(page: PageRequest): Promise<{ rows: UserRecord[]; totalCount: number }> {
      const [rows, totalCount] = await Promise.all([
        prisma.user.findMany({
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          take: page.first + 1,
          ...(page.after ? { cursor: { id: page.after }, skip: 1 } : {}),
        }),
        prisma.user.count(),
      ]);
      return { rows, totalCount };
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
