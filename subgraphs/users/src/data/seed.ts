import { demoUsers } from "@storefront/demo-data";
import type { PrismaClient } from "./generated/client.ts";

/** Seeds the demo accounts; running it again changes nothing. */
export async function seedDemoUsers(prisma: PrismaClient): Promise<void> {
  await prisma.user.createMany({
    skipDuplicates: true,
    data: demoUsers.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role })),
  });
}
