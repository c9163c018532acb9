import { generateSigningKeyPair } from "@storefront/auth";
import type { PrismaClient } from "./generated/client.ts";
import type { SigningKeyRecord } from "./records.ts";
import { createSigningKeyStore } from "./signing-key-store.ts";

/**
 * Rotates the access-token signing key from outside a running subgraph (a CLI or an operator
 * script): the same as the `rotateSigningKey` mutation. Running replicas pick the new key up
 * within ACTIVE_KEY_CACHE_SECONDS; tokens signed by the previous key keep verifying until they expire.
 */
export async function rotateSigningKey(prisma: PrismaClient): Promise<Pick<SigningKeyRecord, "kid" | "createdAt">> {
  const { kid, createdAt } = await createSigningKeyStore(prisma).rotate(await generateSigningKeyPair());
  return { kid, createdAt };
}
