import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { errorCodes, startTestSubgraph } from "@storefront/testkit";
import { usersSubgraph } from "../src/index.ts";
import { as, aUser, type Users } from "./builders.ts";

type Page = {
  users: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
};
const USERS_PAGE = `query($first: Int, $after: String, $filter: UserFilter) {
  users(first: $first, after: $after, filter: $filter) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } }
}`;
const ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name email addresses { id } } } }";

describe("users subgraph", () => {
  let users: Users;
  before(async () => {
    users = await startTestSubgraph(usersSubgraph);
  });
  after(() => users.close());

  describe("user(id)", () => {
    it("answers an admin for anyone, with e-mail and role, and null for unknown or malformed ids", async () => {
      const admin = await aUser(users.prisma, { role: "ADMIN", name: "Ada" });
      const customer = await aUser(users.prisma, { name: "Cy" });
      const data = await users.query<Record<string, unknown>>(
        `query($id: ID!, $other: ID!) { known: user(id: $id) { id name email role } unknown: user(id: $other) { id } malformed: user(id: "x") { id } }`,
        { id: customer.id, other: randomUUID() },
        as(admin),
      );
      assert.deepEqual(data, {
        known: { id: customer.id, name: "Cy", email: customer.email, role: "CUSTOMER" },
        unknown: null,
        malformed: null,
      });
    });

    it("answers customers about themselves, FORBIDDEN about anyone else, UNAUTHENTICATED without a sign-in", async () => {
      const customer = await aUser(users.prisma, { name: "Self" });
      const other = await aUser(users.prisma);
      const QUERY = "query($id: ID!) { user(id: $id) { id name email } }";

      assert.deepEqual(await users.query(QUERY, { id: customer.id }, as(customer)), {
        user: { id: customer.id, name: "Self", email: customer.email },
      });
      const foreign = await users.execute(QUERY, { id: other.id }, as(customer));
      assert.deepEqual(errorCodes(foreign), ["FORBIDDEN"]);
      assert.deepEqual(foreign.data, { user: null });
      assert.deepEqual(errorCodes(await users.execute(QUERY, { id: customer.id })), ["UNAUTHENTICATED"]);
    });
  });

  describe("private fields of User references (what other subgraphs' fields resolve to)", () => {
    it("shows name to anyone, but e-mail and addresses only to the user and admins: null + FORBIDDEN otherwise", async () => {
      const owner = await aUser(users.prisma, { name: "Owner" });
      const stranger = await aUser(users.prisma);
      const admin = await aUser(users.prisma, { role: "ADMIN" });
      await users.prisma.address.create({
        data: {
          userId: owner.id,
          recipientName: "O",
          line1: "1 A St",
          city: "Oslo",
          postalCode: "0150",
          countryCode: "NO",
          isDefault: true,
        },
      });
      const representations = { r: [{ __typename: "User", id: owner.id }] };

      for (const viewer of [as(stranger), {}]) {
        const result = await users.execute<{ _entities: unknown[] }>(ENTITIES, representations, viewer);
        assert.deepEqual(result.data?._entities, [{ id: owner.id, name: "Owner", email: null, addresses: null }]);
        assert.deepEqual(errorCodes(result), ["FORBIDDEN", "FORBIDDEN"]);
      }
      for (const viewer of [as(owner), as(admin)]) {
        const result = await users.query<{ _entities: { email: string; addresses: unknown[] }[] }>(ENTITIES, representations, viewer);
        assert.equal(result._entities[0]?.email, owner.email);
        assert.equal(result._entities[0]?.addresses.length, 1);
      }
    });

    it("resolves a batch of references, with their addresses, in one SQL statement per kind", async () => {
      const admin = await aUser(users.prisma, { role: "ADMIN" });
      const a = await aUser(users.prisma, { name: "A" });
      const b = await aUser(users.prisma, { name: "B" });
      const c = await aUser(users.prisma, { name: "C" });
      for (const owner of [a, b, c])
        await users.prisma.address.create({
          data: { userId: owner.id, recipientName: "R", line1: "1 St", city: "Rome", postalCode: "00100", countryCode: "IT" },
        });
      const unknown = randomUUID();

      const { result, statements } = await users.database.countQueries(() =>
        users.query<{ _entities: ({ id: string; name: string } | null)[] }>(
          ENTITIES,
          { r: [a, b, c, { id: unknown }].map(({ id }) => ({ __typename: "User", id })) },
          as(admin),
        ),
      );

      assert.deepEqual(
        result._entities.map((u) => u?.name ?? null),
        ["A", "B", "C", null],
      );
      assert.equal(statements.length, 2, `users + addresses, got: ${statements.map((s) => s.sql).join(" | ")}`);
    });
  });

  describe("users (admins only)", () => {
    it("pages through users oldest first", async () => {
      const admin = await aUser(users.prisma, { role: "ADMIN" });
      const base = new Date(Date.UTC(2000, 0, 1));
      const first = await aUser(users.prisma, { createdAt: base });
      const second = await aUser(users.prisma, { createdAt: new Date(base.getTime() + 1_000) });

      const page = await users.query<Page>(USERS_PAGE, { first: 1 }, as(admin));
      const next = await users.query<Page>(USERS_PAGE, { first: 1, after: page.users.pageInfo.endCursor }, as(admin));

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

    it("filters by role and by e-mail prefix (case-insensitive, wildcards taken literally), counting only matches", async () => {
      const admin = await aUser(users.prisma, { role: "ADMIN" });
      const tag = randomUUID().slice(0, 8);
      const match = await aUser(users.prisma, { email: `${tag}_zed@example.com`, role: "ADMIN" });
      await aUser(users.prisma, { email: `${tag}_zoe@example.com`, role: "CUSTOMER" });
      await aUser(users.prisma, { email: `${tag}xzed@example.com`, role: "ADMIN" });

      const byPrefixAndRole = await users.query<Page>(
        USERS_PAGE,
        { first: 10, filter: { emailPrefix: `${tag.toUpperCase()}_Z`, role: "ADMIN" } },
        as(admin),
      );
      assert.deepEqual(
        byPrefixAndRole.users.edges.map((e) => e.node.id),
        [match.id],
      );
      assert.equal(byPrefixAndRole.users.totalCount, 1);

      const byPrefix = await users.query<Page>(USERS_PAGE, { first: 10, filter: { emailPrefix: `${tag}_` } }, as(admin));
      assert.equal(byPrefix.users.totalCount, 2);

      const admins = await users.query<Page>(USERS_PAGE, { first: 100, filter: { role: "ADMIN" } }, as(admin));
      assert.equal(admins.users.totalCount, await users.prisma.user.count({ where: { role: "ADMIN" } }));
    });

    it("refuses customers (FORBIDDEN) and anonymous callers (UNAUTHENTICATED)", async () => {
      const customer = await aUser(users.prisma);
      assert.deepEqual(errorCodes(await users.execute(USERS_PAGE, { first: 1 }, as(customer))), ["FORBIDDEN"]);
      assert.deepEqual(errorCodes(await users.execute(USERS_PAGE, { first: 1 })), ["UNAUTHENTICATED"]);
    });

    it("refuses a bad page size or cursor with BAD_USER_INPUT", async () => {
      const admin = await aUser(users.prisma, { role: "ADMIN" });
      assert.deepEqual(errorCodes(await users.execute(USERS_PAGE, { first: 0 }, as(admin))), ["BAD_USER_INPUT"]);
      assert.deepEqual(errorCodes(await users.execute(USERS_PAGE, { first: 5, after: "nonsense" }, as(admin))), ["BAD_USER_INPUT"]);
    });

    it("lists a page of users with their addresses in a constant number of SQL statements", async () => {
      const admin = await aUser(users.prisma, { role: "ADMIN" });
      const tag = randomUUID().slice(0, 8);
      for (let i = 0; i < 4; i++) {
        const user = await aUser(users.prisma, { email: `${tag}-${i}@example.com` });
        await users.prisma.address.create({
          data: { userId: user.id, recipientName: "R", line1: "1 St", city: "Rome", postalCode: "00100", countryCode: "IT" },
        });
      }
      const { statements } = await users.database.countQueries(() =>
        users.query(
          "query($f: UserFilter) { users(first: 10, filter: $f) { edges { node { id email addresses { id } defaultAddress { id } } } } }",
          { f: { emailPrefix: tag } },
          as(admin),
        ),
      );
      assert.equal(statements.length, 3, `page + count + addresses, got: ${statements.map((s) => s.sql).join(" | ")}`);
    });
  });
});
