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

/**
 * Seeds the demo accounts with their demo passwords and the demo customer's address. Running it
 * again changes nothing: existing accounts keep their data, a password is only set where an account
 * has none (so a demo password changed through `changePassword` stays changed), and a demo address
 * is only added to a demo customer whose address book is empty.
 */
export async function seedDemoUsers(prisma: PrismaClient): Promise<void> {
  const existing = await prisma.user.findMany({
    where: { id: { in: demoUsers.map((u) => u.id) } },
    select: { id: true, passwordHash: true },
  });
  const hashed = new Set(existing.filter((u) => u.passwordHash !== null).map((u) => u.id));
  for (const user of demoUsers) {
    if (hashed.has(user.id)) continue;
    const password = demoPasswords[user.email];
    if (password === undefined) throw new Error(`no demo password for ${user.email}`);
    const passwordHash = await hashPassword(password);
    await prisma.user.upsert({
      where: { id: user.id },
      create: { id: user.id, email: user.email, name: user.name, role: user.role, passwordHash, passwordChangedAt: new Date() },
      update: { passwordHash, passwordChangedAt: new Date() },
    });
  }
  // Only for a demo customer without any address: an edited or emptied address book is the customer's business.
  for (const address of demoAddresses) {
    if ((await prisma.address.count({ where: { userId: address.userId } })) > 0) continue;
    await prisma.address.create({ data: address });
  }
}
