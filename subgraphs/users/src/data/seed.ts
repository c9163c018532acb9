import { demoAddresses, demoUsers } from "@storefront/demo-data";
import { hashPassword } from "../auth/passwords.ts";
import type { PrismaClient } from "./generated/client.ts";

/**
 * The demo accounts' passwords, by e-mail address. Demo only: they are public (README), so a shop
 * that seeds demo data must never be reachable from the internet.
 */
export const demoPasswords: Readonly<Record<string, string>> = {
  "admin@storefront.dev": "storefront-admin-demo",
  "customer@storefront.dev": "storefront-customer-demo",
};

async function demoPasswordHashOf(email: string): Promise<string> {
  const password = demoPasswords[email];
  if (password === undefined) throw new Error(`no demo password for ${email}`);
  return hashPassword(password);
}

/**
 * Seeds the demo accounts with their demo passwords, and the demo customer's address with the account. Running it
 * again changes nothing: an existing account keeps its data and its address book (an address removed stays removed),
 * and a password is only set where a demo account has none (accounts seeded before passwords existed), so a demo
 * password changed through `changePassword` stays changed.
 */
export async function seedDemoUsers(prisma: PrismaClient): Promise<void> {
  const existing = await prisma.user.findMany({
    where: { id: { in: demoUsers.map((u) => u.id) } },
    select: { id: true, passwordHash: true },
  });
  const stored = new Map(existing.map((u) => [u.id, u.passwordHash]));
  const missing = demoUsers.filter((u) => !stored.has(u.id));
  const withoutPassword = demoUsers.filter((u) => stored.has(u.id) && stored.get(u.id) === null);
  if (missing.length === 0 && withoutPassword.length === 0) return;
  // Hashing is slow on purpose: done before the transaction, which then only writes.
  const hashes = new Map(
    await Promise.all([...missing, ...withoutPassword].map(async (u) => [u.id, await demoPasswordHashOf(u.email)] as const)),
  );
  const now = new Date();
  await prisma.$transaction(async (tx) => {
    const created = await tx.user.createManyAndReturn({
      // An account registered with a demo e-mail address before seeding is left alone (and gets no demo address).
      skipDuplicates: true,
      data: missing.map((u) => ({
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        passwordHash: hashes.get(u.id) ?? null,
        passwordChangedAt: now,
      })),
      select: { id: true },
    });
    for (const user of withoutPassword) {
      await tx.user.updateMany({
        where: { id: user.id, passwordHash: null },
        data: { passwordHash: hashes.get(user.id) ?? null, passwordChangedAt: now },
      });
    }
    const createdIds = new Set(created.map((u) => u.id));
    await tx.address.createMany({ data: demoAddresses.filter((a) => createdIds.has(a.userId)) });
  });
}
