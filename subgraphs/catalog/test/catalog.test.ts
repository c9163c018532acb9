import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { errorCodes, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { catalogSubgraph } from "../src/index.ts";
import { aCategory, aProduct, aUniqueWord } from "./builders.ts";

describe("catalog subgraph", () => {
  let catalog: TestSubgraph<PrismaClient>;

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
  });
  after(() => catalog.close());

  it("returns a product by id and by sku, with its price as Money and its category", async () => {
    const audio = await aCategory(catalog.prisma, { name: "Audio" });
    const product = await aProduct(catalog.prisma, { sku: "HP-1", name: "Headphones", priceAmount: 19_900, categoryId: audio.id });
    const query =
      "query($id: ID, $sku: String) { product(id: $id, sku: $sku) { id sku name price { amount currency } category { name } } }";

    const byId = await catalog.query<{ product: unknown }>(query, { id: product.id });
    const bySku = await catalog.query<{ product: unknown }>(query, { sku: "HP-1" });

    const expected = {
      id: product.id,
      sku: "HP-1",
      name: "Headphones",
      price: { amount: 19_900, currency: "EUR" },
      category: { name: "Audio" },
    };
    assert.deepEqual(byId.product, expected);
    assert.deepEqual(bySku.product, expected);
  });

  it("answers null for an unknown product and BAD_USER_INPUT when both or neither of id and sku are given", async () => {
    const unknown = await catalog.query<{ product: unknown }>('{ product(sku: "NO-SUCH-SKU") { id } }');
    assert.equal(unknown.product, null);

    const both = await catalog.execute('{ product(id: "1", sku: "x") { id } }');
    const neither = await catalog.execute("{ product { id } }");
    assert.deepEqual(errorCodes(both), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(neither), ["BAD_USER_INPUT"]);
  });

  it("pages through active products newest first with cursors and a total count", async () => {
    const category = await aCategory(catalog.prisma);
    const base = Date.now() + 60_000; // newer than anything other tests created
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(await aProduct(catalog.prisma, { categoryId: category.id, createdAt: new Date(base + i * 1_000) }));
    }
    await aProduct(catalog.prisma, { active: false, createdAt: new Date(base + 10_000) });
    const activeBefore = await catalog.prisma.product.count({ where: { active: true } });

    const page =
      "query($after: String) { products(first: 2, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
    type Page = {
      products: {
        totalCount: number;
        edges: { node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string };
      };
    };
    const first = await catalog.query<Page>(page);
    const second = await catalog.query<Page>(page, { after: first.products.pageInfo.endCursor });

    const newestFirst = created.map((p) => p.id).reverse();
    assert.deepEqual(
      first.products.edges.map((e) => e.node.id),
      newestFirst.slice(0, 2),
    );
    assert.deepEqual(
      second.products.edges.map((e) => e.node.id),
      newestFirst.slice(2, 4),
    );
    assert.equal(first.products.totalCount, activeBefore);
    assert.equal(first.products.pageInfo.hasNextPage, true);
    assert.equal(first.products.pageInfo.hasPreviousPage, false);
    assert.equal(second.products.pageInfo.hasPreviousPage, true);
  });

  it("answers null, not an error, for ids that are not UUIDs", async () => {
    const data = await catalog.query<{ product: unknown; _entities: unknown[] }>(
      'query { product(id: "42") { id } _entities(representations: [{ __typename: "Product", id: "" }]) { ... on Product { id } } }',
    );
    assert.deepEqual(data, { product: null, _entities: [null] });
  });

  it("rejects a page size out of range and a cursor it did not issue", async () => {
    assert.deepEqual(errorCodes(await catalog.execute("{ products(first: 0) { totalCount } }")), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await catalog.execute("{ products(first: 101) { totalCount } }")), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await catalog.execute('{ products(after: "not-a-cursor") { totalCount } }')), ["BAD_USER_INPUT"]);
  });

  it("resolves _entities references by id and by sku in one batch, null for unknown ones", async () => {
    const a = await aProduct(catalog.prisma, { name: "A" });
    const b = await aProduct(catalog.prisma, { name: "B" });
    const result = await catalog.query<{ _entities: unknown[] }>(
      "query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id name } } }",
      {
        representations: [
          { __typename: "Product", id: a.id },
          { __typename: "Product", sku: b.sku },
          { __typename: "Product", id: "00000000-0000-4000-8000-000000000000" },
        ],
      },
    );
    assert.deepEqual(result._entities, [{ id: a.id, name: "A" }, { id: b.id, name: "B" }, null]);
  });

  it("serves the category tree with parents and children", async () => {
    const root = await aCategory(catalog.prisma, { name: "Root" });
    const leaf = await aCategory(catalog.prisma, { name: "Leaf", parentId: root.id });
    const product = await aProduct(catalog.prisma, { categoryId: leaf.id });
    const data = await catalog.query<{ product: { category: { name: string; parent: { name: string; children: { name: string }[] } } } }>(
      "query($id: ID) { product(id: $id) { category { name parent { name children { name } } } } }",
      { id: product.id },
    );
    assert.deepEqual(data.product.category, { name: "Leaf", parent: { name: "Root", children: [{ name: "Leaf" }] } });
  });

  it("finds a category by id and by slug, with its ancestors and breadcrumb path top-level first", async () => {
    const root = await aCategory(catalog.prisma, { name: "Home" });
    const middle = await aCategory(catalog.prisma, { name: "Kitchen", parentId: root.id });
    const leaf = await aCategory(catalog.prisma, { name: "Kettles", slug: `kettles-${aUniqueWord()}`, parentId: middle.id });
    const query = "query($id: ID, $slug: String) { category(id: $id, slug: $slug) { id name ancestors { name } path { name } } }";

    const byId = await catalog.query<{ category: unknown }>(query, { id: leaf.id });
    const bySlug = await catalog.query<{ category: unknown }>(query, { slug: leaf.slug });
    const expected = {
      id: leaf.id,
      name: "Kettles",
      ancestors: [{ name: "Home" }, { name: "Kitchen" }],
      path: [{ name: "Home" }, { name: "Kitchen" }, { name: "Kettles" }],
    };
    assert.deepEqual(byId.category, expected);
    assert.deepEqual(bySlug.category, expected);
    const top = await catalog.query<{ category: unknown }>(query, { id: root.id });
    assert.deepEqual(top.category, { id: root.id, name: "Home", ancestors: [], path: [{ name: "Home" }] });
  });

  it("answers null for an unknown category and BAD_USER_INPUT when both or neither of id and slug are given", async () => {
    const unknown = await catalog.query<{ a: unknown; b: unknown }>(
      '{ a: category(slug: "no-such-category") { id } b: category(id: "not-a-uuid") { id } }',
    );
    assert.deepEqual(unknown, { a: null, b: null });
    assert.deepEqual(errorCodes(await catalog.execute('{ category(id: "x", slug: "y") { id } }')), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await catalog.execute("{ category { id } }")), ["BAD_USER_INPUT"]);
  });

  it("lists every category in tree order, siblings by name, with its ancestors, any depth, in one SQL statement", async () => {
    const root = await aCategory(catalog.prisma, { name: aUniqueWord("Root") });
    const second = await aCategory(catalog.prisma, { name: "B second", parentId: root.id });
    const first = await aCategory(catalog.prisma, { name: "A first", parentId: root.id });
    const deep = await aCategory(catalog.prisma, { name: "Deep", parentId: first.id });
    const deeper = await aCategory(catalog.prisma, { name: "Deeper", parentId: deep.id });
    type Entry = { id: string; ancestors: { id: string }[] };
    const { result, count } = await catalog.database.countQueries(() =>
      catalog.query<{ allCategories: Entry[] }>("{ allCategories { id ancestors { id } } }"),
    );
    const start = result.allCategories.findIndex((category) => category.id === root.id);
    assert.deepEqual(
      result.allCategories.slice(start, start + 5).map((category) => [category.id, category.ancestors.map((a) => a.id)]),
      [
        [root.id, []],
        [first.id, [root.id]],
        [deep.id, [root.id, first.id]],
        [deeper.id, [root.id, first.id, deep.id]],
        [second.id, [root.id]],
      ],
    );
    assert.equal(result.allCategories.length, await catalog.prisma.category.count(), "every category once");
    assert.equal(count, 1);
  });

  it("serves the whole category tree, any depth, in one SQL statement", async () => {
    const root = await aCategory(catalog.prisma, { name: aUniqueWord("Root") });
    const child = await aCategory(catalog.prisma, { name: "Child", parentId: root.id });
    const grandchild = await aCategory(catalog.prisma, { name: "Grandchild", parentId: child.id });
    await aCategory(catalog.prisma, { name: "Great-grandchild", parentId: grandchild.id });
    type Node = { id: string; name: string; parent: { id: string } | null; children: Node[] };
    const { result, count } = await catalog.database.countQueries(() =>
      catalog.query<{ categories: Node[] }>(
        "{ categories { id name parent { id } children { id name parent { id } children { id name parent { id } children { id name parent { id } children { id name parent { id } children { id } } } } } } }",
      ),
    );
    const tree = result.categories.find((category) => category.id === root.id);
    assert.ok(tree, "the new root is a top-level category");
    assert.equal(tree.parent, null);
    assert.deepEqual(
      [tree.children[0]?.name, tree.children[0]?.children[0]?.name, tree.children[0]?.children[0]?.children[0]?.name],
      ["Child", "Grandchild", "Great-grandchild"],
    );
    assert.deepEqual(tree.children[0]?.parent, { id: root.id });
    assert.ok(
      result.categories.every((category) => category.parent === null),
      "only top-level categories at the top",
    );
    assert.equal(count, 1);
  });
});
