import type { PrismaClient } from "./generated/client.ts";
import { type UserRecord, withoutPasswordHash } from "./records.ts";

/** What presenting a refresh token led to. */
export type RefreshOutcome =
  | { readonly kind: "rotated"; readonly user: UserRecord }
  /** No such token, or its session has ended, or it has expired. */
  | { readonly kind: "rejected" }
  /** The token had already been exchanged: its whole session has now been ended. */
  | { readonly kind: "replayed" };

/** A refresh token to store: only its hash, never the token. */
export interface StoredRefreshToken {
  readonly tokenHash: string;
  readonly expiresAt: Date;
}

/** Sessions (refresh-token families) and their refresh tokens. */
export function createSessionStore(prisma: PrismaClient) {
  return {
    /** Starts a session for the user with its first refresh token. */
    async start(userId: string, token: StoredRefreshToken): Promise<void> {
      await prisma.refreshTokenFamily.create({ data: { userId, tokens: { create: token } } });
    },

    /**
     * Exchanges a refresh token for its successor in the same session, once: the token is marked
     * used in the same transaction, so of two concurrent exchanges one rotates and one is a replay.
     */
    rotate: (presentedHash: string, successor: StoredRefreshToken, now = new Date()): Promise<RefreshOutcome> =>
      prisma.$transaction(async (tx) => {
        const token = await tx.refreshToken.findUnique({
          where: { tokenHash: presentedHash },
          include: { family: { include: { user: { omit: withoutPasswordHash } } } },
        });
        if (!token || token.family.endedAt !== null) return { kind: "rejected" };
        if (token.usedAt === null && token.expiresAt <= now) return { kind: "rejected" };
        const claimed =
          token.usedAt === null
            ? await tx.refreshToken.updateMany({ where: { id: token.id, usedAt: null }, data: { usedAt: now } })
            : { count: 0 };
        if (claimed.count === 0) {
          await tx.refreshTokenFamily.updateMany({
            where: { id: token.familyId, endedAt: null },
            data: { endedAt: now, endReason: "REUSE_DETECTED" },
          });
          return { kind: "replayed" };
        }
        await tx.refreshToken.create({ data: { ...successor, familyId: token.familyId } });
        return { kind: "rotated", user: token.family.user };
      }),

    /** Ends the session a refresh token (used or not) belongs to; false when there was none still going. */
    async end(presentedHash: string, now = new Date()): Promise<boolean> {
      const token = await prisma.refreshToken.findUnique({ where: { tokenHash: presentedHash }, select: { familyId: true } });
      if (!token) return false;
      const { count } = await prisma.refreshTokenFamily.updateMany({
        where: { id: token.familyId, endedAt: null },
        data: { endedAt: now, endReason: "LOGOUT" },
      });
      return count > 0;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
