import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { usersSubgraph } from "../src/index.ts";

const aUser = (prisma: PrismaClient, overrides: { name?: string; role?: "CUSTOMER" | "ADMIN"; createdAt?: Date } = {}) =>
  prisma.user.create({
    data: {
      email: `${randomUUID()}@example.com`,
      name: overrides.name ?? "Sam",
      role: overrides.role ?? "CUSTOMER",
      ...(overrides.createdAt ? { createdAt: overrides.createdAt } : {}),
    },
  });

describe("users subgraph", () => {
  let users: TestSubgraph<PrismaClient>;
  before(async () => {
    users = await startTestSubgraph(usersSubgraph);
  });
  after(() => users.close());

  it("returns a user by id with role and e-mail, and null for unknown or malformed ids", async () => {
    const ada = await aUser(users.prisma, { name: "Ada", role: "ADMIN" });
    const data = await users.query<{ known: unknown; unknown: unknown; malformed: unknown }>(
      `query($id: ID!, $other: ID!) { known: user(id: $id) { id name email role } unknown: user(id: $other) { id } malformed: user(id: "x") { id } }`,
      { id: ada.id, other: randomUUID() },
    );
    assert.deepEqual(data, { known: { id: ada.id, name: "Ada", email: ada.email, role: "ADMIN" }, unknown: null, malformed: null });
  });

  it("pages through users oldest first", async () => {
    const base = new Date(Date.UTC(2000, 0, 1));
    const first = await aUser(users.prisma, { createdAt: base });
    const second = await aUser(users.prisma, { createdAt: new Date(base.getTime() + 1_000) });
    type Page = { users: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const page = await users.query<Page>("{ users(first: 1) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }");
    const next = await users.query<Page>(
      "query($after: String) { users(first: 1, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }",
      {
        after: page.users.pageInfo.endCursor,
      },
    );
    assert.deepEqual(
      page.users.edges.map((e) => e.node.id),
      [first.id],
    );
    assert.deepEqual(
      next.users.edges.map((e) => e.node.id),
      [second.id],
    );
    assert.equal(page.users.totalCount, await users.prisma.user.count());
    assert.equal(page.users.pageInfo.hasNextPage, true);
  });

  it("resolves User references for the other subgraphs in one batch", async () => {
    const a = await aUser(users.prisma, { name: "A" });
    const b = await aUser(users.prisma, { name: "B" });
    const unknown = randomUUID();
    const { result, statements } = await users.database.countQueries(() =>
      users.query<{ _entities: unknown[] }>("query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }", {
        r: [
          { __typename: "User", id: a.id },
          { __typename: "User", id: b.id },
          { __typename: "User", id: unknown },
        ],
      }),
    );
    assert.deepEqual(result._entities, [{ id: a.id, name: "A" }, { id: b.id, name: "B" }, null]);
    assert.equal(statements.length, 1, `one SQL statement for three references, got: ${statements.map((s) => s.sql).join(" | ")}`);
  });
});
