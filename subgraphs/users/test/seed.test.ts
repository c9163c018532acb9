import assert from "node:assert/strict";
import { after, before, describe, it, mock } from "node:test";
import { demoAddresses, demoUsers } from "@storefront/demo-data";
import { startTestSubgraph } from "@storefront/testkit";
import { seedDemoUsers } from "../src/data/seed.ts";
import { demoPasswords, usersSubgraph } from "../src/index.ts";
import { type AuthPayload, LOGIN, type Users } from "./builders.ts";

describe("the demo accounts", () => {
  let users: Users;
  before(async () => {
    users = await startTestSubgraph(usersSubgraph);
  });
  after(() => users.close());

  const login = (email: string, password: string) => users.execute<{ login: AuthPayload }>(LOGIN, { input: { email, password } });

  it("are seeded with their fixed ids and roles, and sign in with the documented demo passwords, printing nothing", async () => {
    const printers = (["log", "info", "warn", "error", "debug"] as const).map((level) => mock.method(console, level));
    try {
      await seedDemoUsers(users.prisma);
    } finally {
      for (const printer of printers) printer.mock.restore();
    }
    assert.deepEqual(
      printers.map((printer) => printer.mock.callCount()),
      [0, 0, 0, 0, 0],
    );

    for (const demo of demoUsers) {
      const password = demoPasswords[demo.email];
      assert.ok(password, `a demo password for ${demo.email}`);
      const result = await login(demo.email, password);
      assert.deepEqual(result.errors, undefined);
      assert.deepEqual(result.data?.login.user, { id: demo.id, email: demo.email, name: demo.name, role: demo.role });
    }
    assert.deepEqual(demoPasswords, {
      "admin@storefront.dev": "storefront-admin-demo",
      "customer@storefront.dev": "storefront-customer-demo",
    });
  });

  it("can be seeded again without changing anything, keeping a demo password that was changed", async () => {
    await seedDemoUsers(users.prisma);
    const [customer] = demoUsers.filter((u) => u.role === "CUSTOMER");
    assert.ok(customer);
    const changed = await users.prisma.user.update({
      where: { id: customer.id },
      data: { passwordHash: (await users.prisma.user.findUniqueOrThrow({ where: { id: demoUsers[0]?.id } })).passwordHash },
    });
    const before = await users.prisma.user.findMany({ orderBy: { id: "asc" } });

    await seedDemoUsers(users.prisma);

    assert.deepEqual(await users.prisma.user.findMany({ orderBy: { id: "asc" } }), before);
    assert.equal((await users.prisma.user.findUniqueOrThrow({ where: { id: customer.id } })).passwordHash, changed.passwordHash);
  });

  it("gives demo accounts seeded before passwords existed their demo password", async () => {
    await seedDemoUsers(users.prisma);
    await users.prisma.user.updateMany({ where: { id: { in: demoUsers.map((u) => u.id) } }, data: { passwordHash: null } });

    await seedDemoUsers(users.prisma);

    for (const demo of demoUsers) assert.deepEqual((await login(demo.email, demoPasswords[demo.email] ?? "")).errors, undefined);
  });

  it("keeps a demo address that its customer removed removed when seeded again", async () => {
    await seedDemoUsers(users.prisma);
    const [address] = demoAddresses;
    assert.ok(address);
    assert.equal(await users.prisma.address.count({ where: { id: address.id } }), 1);
    await users.prisma.address.delete({ where: { id: address.id } });
    const before = {
      users: await users.prisma.user.findMany({ orderBy: { id: "asc" } }),
      addresses: await users.prisma.address.findMany(),
    };

    await seedDemoUsers(users.prisma);

    assert.deepEqual(
      { users: await users.prisma.user.findMany({ orderBy: { id: "asc" } }), addresses: await users.prisma.address.findMany() },
      before,
    );
  });
});
