import type { SigningKeyPair } from "@storefront/auth";
import { Prisma, type PrismaClient } from "./generated/client.ts";
import type { PublishedSigningKey, SigningKeyRecord } from "./records.ts";

// One lock for every change to the set of signing keys, so replicas starting together create one
// first key and concurrent rotations happen one after the other (the partial unique index
// signing_key_one_active is the backstop).
const SIGNING_KEY_LOCK = 7_401_001;

const lockSigningKeys = (tx: Prisma.TransactionClient) => tx.$executeRaw`SELECT pg_advisory_xact_lock(${SIGNING_KEY_LOCK})`;

const asJson = (jwk: SigningKeyPair["publicJwk"]) => jwk as Prisma.InputJsonObject;

/** The access-token signing keys: one active, the retired ones kept for the JWKS. */
export function createSigningKeyStore(prisma: PrismaClient) {
  return {
    activeKey: (): Promise<SigningKeyRecord | null> => prisma.signingKey.findFirst({ where: { active: true } }),

    /** The active key, created from `pair` when there is none yet. */
    ensureActiveKey: (pair: SigningKeyPair): Promise<SigningKeyRecord> =>
      prisma.$transaction(async (tx) => {
        await lockSigningKeys(tx);
        const active = await tx.signingKey.findFirst({ where: { active: true } });
        return (
          active ??
          tx.signingKey.create({ data: { kid: pair.kid, publicJwk: asJson(pair.publicJwk), privateJwk: asJson(pair.privateJwk) } })
        );
      }),

    /** Retires the active key (wiping its private half) and makes `pair` the active key. */
    rotate: (pair: SigningKeyPair, now = new Date()): Promise<SigningKeyRecord> =>
      prisma.$transaction(async (tx) => {
        await lockSigningKeys(tx);
        await tx.signingKey.updateMany({ where: { active: true }, data: { active: false, retiredAt: now, privateJwk: Prisma.DbNull } });
        return tx.signingKey.create({ data: { kid: pair.kid, publicJwk: asJson(pair.publicJwk), privateJwk: asJson(pair.privateJwk) } });
      }),

    /** The active key and the keys retired after `retiredAfter`, newest first. */
    publishedKeys: (retiredAfter: Date): Promise<PublishedSigningKey[]> =>
      prisma.signingKey.findMany({
        where: { OR: [{ active: true }, { retiredAt: { gt: retiredAfter } }] },
        omit: { privateJwk: true },
        orderBy: [{ active: "desc" }, { createdAt: "desc" }],
      }),
  };
}

export type SigningKeyStore = ReturnType<typeof createSigningKeyStore>;
