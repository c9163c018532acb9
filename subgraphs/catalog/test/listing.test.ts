import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Viewer } from "@storefront/auth";
import { errorCodes, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { catalogSubgraph } from "../src/index.ts";
import { aCategory, aCustomer, anAdmin, anAvailabilityReport, aProduct, aUniqueWord } from "./builders.ts";

const LIST = `query($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
  products(first: $first, after: $after, filter: $filter, sort: $sort) {
    totalCount
    edges { cursor node { id name active } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

type Listing = {
  totalCount: number;
  edges: { cursor: string; node: { id: string; name: string; active: boolean } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
};

type ListVariables = { first?: number; after?: string | null; filter?: Record<string, unknown>; sort?: string };

const idsOf = (listing: Listing) => listing.edges.map((edge) => edge.node.id);
const sameIds = (actual: readonly string[], expected: readonly string[]) => assert.deepEqual([...actual].sort(), [...expected].sort());

describe("product listings", () => {
  let catalog: TestSubgraph<PrismaClient>;

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
  });
  after(() => catalog.close());

  const list = async (variables: ListVariables, viewer?: Viewer) =>
    (await catalog.query<{ products: Listing }>(LIST, variables, { viewer: viewer ?? null })).products;
  const listErrors = async (variables: ListVariables, viewer?: Viewer) => {
    const result = await catalog.execute(LIST, variables, { viewer: viewer ?? null });
    return { codes: errorCodes(result), arguments: (result.errors ?? []).map((error) => error.extensions?.argument) };
  };

  /** Walks every page of a listing; checks that totalCount stays the same on every page. */
  async function everyPage(variables: ListVariables, pageSize: number) {
    const pages: Listing[] = [];
    let cursor: string | null = null;
    do {
      const page: Listing = await list({ ...variables, first: pageSize, after: cursor });
      pages.push(page);
      cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (cursor !== null && pages.length < 50);
    const totals = new Set(pages.map((page) => page.totalCount));
    assert.equal(totals.size, 1, "totalCount is the same on every page");
    return { ids: pages.flatMap(idsOf), totalCount: pages[0]?.totalCount ?? 0, pages };
  }

  it("finds products by the start of any word of their SKU, name or description, with English stemming", async () => {
    const word = aUniqueWord();
    const headphones = await aProduct(catalog.prisma, { name: `Aria ${word} Headphones` });
    const monitors = await aProduct(catalog.prisma, { name: "Studio box", description: `Closed-back ${word} monitors for long sessions.` });
    const bySku = await aProduct(catalog.prisma, { sku: `${word.toUpperCase()}-KTL-7`, name: "Plain" });
    await aProduct(catalog.prisma, { name: "Aria Headphones without the word" });

    const found = async (search: string) => idsOf(await list({ filter: { search } }));
    sameIds(await found(word), [headphones.id, monitors.id, bySku.id]);
    assert.equal((await list({ filter: { search: word } })).totalCount, 3);
    sameIds(await found(`${word} head`), [headphones.id]);
    sameIds(await found(`${word} HEADPHONE`), [headphones.id]);
    sameIds(await found(`${word} monitor`), [monitors.id]);
    sameIds(await found(`${word.toUpperCase()}-KTL`), [bySku.id]);
    // Operators of the tsquery language are only punctuation between words here.
    sameIds(await found(`${word} & | ! ( ) :* <->`), [headphones.id, monitors.id, bySku.id]);
    sameIds(await found(`${word} phones`), []);
  });

  it("finds a product by exactly what it shows: SKUs and words with digits joined by hyphens, dots or slashes", async () => {
    // PostgreSQL's parser alone reads "-1000" as a signed number, "3.5" as a decimal and "1/2-inch" as a path.
    const word = aUniqueWord();
    const digitsOnly = String(Math.floor(Math.random() * 9e7) + 1e7);
    const kettle = await aProduct(catalog.prisma, { sku: `${word.toUpperCase()}-${digitsOnly}`, name: "Kettle" });
    const cable = await aProduct(catalog.prisma, { name: `${word} jack cable 3.5mm`, description: "A 1/2-inch plug, v2.0." });
    const found = async (search: string) => idsOf(await list({ filter: { search } }));
    sameIds(await found(`${word.toUpperCase()}-${digitsOnly}`), [kettle.id]);
    sameIds(await found(digitsOnly), [kettle.id]);
    sameIds(await found(`${word} 3.5mm`), [cable.id]);
    sameIds(await found(`${word} inch`), [cable.id]);
    sameIds(await found(`${word} 1/2-inch`), [cable.id]);
    sameIds(await found(`${word} v2.0`), [cable.id]);
  });

  it("refuses a search with nothing to look for or longer than 200 characters", async () => {
    assert.deepEqual(await listErrors({ filter: { search: "!!! ???" } }), { codes: ["BAD_USER_INPUT"], arguments: ["filter.search"] });
    assert.deepEqual(await listErrors({ filter: { search: "a".repeat(201) } }), {
      codes: ["BAD_USER_INPUT"],
      arguments: ["filter.search"],
    });
  });

  it("lists a category with everything below it, in the same number of SQL statements at any depth", async () => {
    const root = await aCategory(catalog.prisma);
    const child = await aCategory(catalog.prisma, { parentId: root.id });
    const grandchild = await aCategory(catalog.prisma, { parentId: child.id });
    const other = await aCategory(catalog.prisma);
    const inRoot = await aProduct(catalog.prisma, { categoryId: root.id });
    const inChild = await aProduct(catalog.prisma, { categoryId: child.id });
    const inGrandchild = await aProduct(catalog.prisma, { categoryId: grandchild.id });
    await aProduct(catalog.prisma, { categoryId: other.id });

    const fromRoot = await catalog.database.countQueries(() => list({ filter: { categoryId: root.id } }));
    const fromLeaf = await catalog.database.countQueries(() => list({ filter: { categoryId: grandchild.id } }));
    sameIds(idsOf(fromRoot.result), [inRoot.id, inChild.id, inGrandchild.id]);
    assert.equal(fromRoot.result.totalCount, 3);
    sameIds(idsOf(fromLeaf.result), [inGrandchild.id]);
    assert.equal(fromRoot.count, fromLeaf.count);
    assert.equal(fromRoot.count, 2, "the page (its products whole) and the count");

    const bySlug = await list({ filter: { categorySlug: child.slug } });
    sameIds(idsOf(bySlug), [inChild.id, inGrandchild.id]);
    assert.equal(bySlug.totalCount, 2);
  });

  it("lists nothing for a category that does not exist, and refuses both categoryId and categorySlug", async () => {
    assert.equal((await list({ filter: { categorySlug: "no-such-category" } })).totalCount, 0);
    assert.equal((await list({ filter: { categoryId: randomUUID() } })).totalCount, 0);
    const { result, count } = await catalog.database.countQueries(() => list({ filter: { categoryId: "not-a-uuid" } }));
    assert.equal(result.totalCount, 0);
    assert.equal(count, 0, "an id that is not a UUID names nothing; the database is not asked");
    const category = await aCategory(catalog.prisma);
    assert.deepEqual(await listErrors({ filter: { categoryId: category.id, categorySlug: category.slug } }), {
      codes: ["BAD_USER_INPUT"],
      arguments: ["filter.categoryId"],
    });
  });

  it("filters by a price range in one currency, both bounds inclusive", async () => {
    const category = await aCategory(catalog.prisma);
    const euros = [];
    for (const amount of [500, 1_000, 1_500, 2_000])
      euros.push(await aProduct(catalog.prisma, { categoryId: category.id, priceAmount: amount }));
    const dollars = await aProduct(catalog.prisma, { categoryId: category.id, priceAmount: 1_000, currency: "USD" });
    const inRange = async (price: Record<string, unknown>) =>
      idsOf(await list({ filter: { categoryId: category.id, price }, sort: "PRICE_ASC" }));

    assert.deepEqual(await inRange({ min: 1_000, max: 1_500, currency: "EUR" }), [euros[1]?.id, euros[2]?.id]);
    assert.deepEqual(await inRange({ min: 1_500, currency: "EUR" }), [euros[2]?.id, euros[3]?.id]);
    assert.deepEqual(await inRange({ max: 1_000, currency: "EUR" }), [euros[0]?.id, euros[1]?.id]);
    assert.deepEqual(await inRange({ max: 1_000, currency: "USD" }), [dollars.id]);
    assert.deepEqual(
      await inRange({ currency: "EUR" }),
      euros.map((product) => product.id),
    );
    const total = await list({ filter: { categoryId: category.id, price: { min: 1_000, max: 1_500, currency: "EUR" } } });
    assert.equal(total.totalCount, 2);
  });

  it("refuses a negative price bound and a minimum above the maximum", async () => {
    assert.deepEqual(await listErrors({ filter: { price: { min: -1, currency: "EUR" } } }), {
      codes: ["BAD_USER_INPUT"],
      arguments: ["filter.price.min"],
    });
    assert.deepEqual(await listErrors({ filter: { price: { max: -5, currency: "EUR" } } }), {
      codes: ["BAD_USER_INPUT"],
      arguments: ["filter.price.max"],
    });
    assert.deepEqual(await listErrors({ filter: { price: { min: 2_000, max: 1_000, currency: "EUR" } } }), {
      codes: ["BAD_USER_INPUT"],
      arguments: ["filter.price"],
    });
    const fractional = await catalog.execute(LIST, { filter: { price: { min: 9.99, currency: "EUR" } } });
    assert.deepEqual(errorCodes(fractional), ["BAD_USER_INPUT"]);
  });

  it("pages through every sort order without skipping or repeating a product, with the same totalCount on every page", async () => {
    const category = await aCategory(catalog.prisma);
    const base = Date.UTC(2030, 0, 1);
    const specs = [
      { name: "Delta", priceAmount: 3_000, at: 5 },
      { name: "Alpha", priceAmount: 1_000, at: 1 },
      { name: "Charlie", priceAmount: 1_000, at: 3 },
      { name: "Bravo", priceAmount: 2_000, at: 3 },
      { name: "Bravo", priceAmount: 500, at: 2 },
      { name: "Echo", priceAmount: 2_000, at: 4 },
      { name: "Alpha", priceAmount: 4_000, at: 6 },
    ];
    const products = [];
    for (const spec of specs) {
      products.push(
        await aProduct(catalog.prisma, {
          name: spec.name,
          priceAmount: spec.priceAmount,
          categoryId: category.id,
          createdAt: new Date(base + spec.at * 1_000),
        }),
      );
    }
    // PostgreSQL orders UUIDs like their lower-case hex strings.
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const expected: Record<string, string[]> = {
      NEWEST: products.toSorted((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || byId(b, a)).map((p) => p.id),
      PRICE_ASC: products.toSorted((a, b) => a.priceAmount - b.priceAmount || byId(a, b)).map((p) => p.id),
      PRICE_DESC: products.toSorted((a, b) => b.priceAmount - a.priceAmount || byId(b, a)).map((p) => p.id),
      NAME: products.toSorted((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : byId(a, b))).map((p) => p.id),
    };

    for (const [sort, order] of Object.entries(expected)) {
      const walk = await everyPage({ filter: { categoryId: category.id }, sort }, 2);
      assert.deepEqual(walk.ids, order, `${sort} order`);
      assert.equal(walk.totalCount, products.length, `${sort} totalCount`);
      assert.equal(walk.pages.length, 4);
      assert.equal(walk.pages[0]?.pageInfo.hasPreviousPage, false);
      assert.ok(walk.pages.slice(1).every((page) => page.pageInfo.hasPreviousPage));
      assert.equal(walk.pages.at(-1)?.pageInfo.hasNextPage, false);
    }
  });

  it("keeps its place when products are added before the cursor", async () => {
    const category = await aCategory(catalog.prisma);
    const older = [];
    for (let i = 0; i < 4; i++)
      older.push(await aProduct(catalog.prisma, { categoryId: category.id, createdAt: new Date(Date.UTC(2031, 0, 1, 0, 0, i)) }));
    const first = await list({ first: 2, filter: { categoryId: category.id } });
    await aProduct(catalog.prisma, { categoryId: category.id, createdAt: new Date(Date.UTC(2031, 0, 2)) });

    const second = await list({ first: 2, after: first.pageInfo.endCursor, filter: { categoryId: category.id } });
    assert.deepEqual(idsOf(second), [older[1]?.id, older[0]?.id]);
    assert.equal(second.totalCount, 5);
  });

  it("refuses a cursor from another sort order, a cursor it did not issue and a page size out of bounds", async () => {
    const category = await aCategory(catalog.prisma);
    for (let i = 0; i < 3; i++) await aProduct(catalog.prisma, { categoryId: category.id });
    const byPrice = await list({ first: 1, filter: { categoryId: category.id }, sort: "PRICE_ASC" });
    const cursor = byPrice.pageInfo.endCursor;

    assert.deepEqual(await listErrors({ after: cursor, sort: "NEWEST" }), { codes: ["BAD_USER_INPUT"], arguments: ["after"] });
    assert.deepEqual(await listErrors({ after: cursor, sort: "PRICE_DESC" }), { codes: ["BAD_USER_INPUT"], arguments: ["after"] });
    assert.equal((await list({ after: cursor, filter: { categoryId: category.id }, sort: "PRICE_ASC" })).edges.length, 2);

    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const after of [
      "not-a-cursor",
      forged(["p2", "NEWEST", "yesterday", randomUUID()]),
      forged(["p2", "PRICE_ASC", "1000", randomUUID()]),
      forged(["p2", "NAME", "Alpha", "42"]),
      forged(["p1", "NAME", "Alpha", randomUUID()]),
      forged({ sort: "NAME" }),
      "x".repeat(5_000),
    ]) {
      assert.deepEqual(await listErrors({ after, sort: "NEWEST" }), { codes: ["BAD_USER_INPUT"], arguments: ["after"] }, after);
    }
    assert.deepEqual(await listErrors({ first: 0 }), { codes: ["BAD_USER_INPUT"], arguments: ["first"] });
    assert.deepEqual(await listErrors({ first: 101 }), { codes: ["BAD_USER_INPUT"], arguments: ["first"] });
    assert.equal((await list({ first: 100, filter: { categoryId: category.id } })).edges.length, 3);
  });

  it("filters by availability as last reported by inventory, keeping the newest report of each product", async () => {
    const category = await aCategory(catalog.prisma);
    const [available, soldOut, neverStocked, reorderedReports, replayed] = await Promise.all(
      Array.from({ length: 5 }, () => aProduct(catalog.prisma, { categoryId: category.id })),
    );
    assert.ok(available && soldOut && neverStocked && reorderedReports && replayed);
    assert.equal(await anAvailabilityReport(catalog.prisma, { productId: available.id, inStock: true, version: 1 }), "applied");
    await anAvailabilityReport(catalog.prisma, { productId: soldOut.id, inStock: true, version: 1 });
    assert.equal(await anAvailabilityReport(catalog.prisma, { productId: soldOut.id, inStock: false, version: 2 }), "applied");
    await anAvailabilityReport(catalog.prisma, { productId: reorderedReports.id, inStock: true, version: 3 });
    assert.equal(await anAvailabilityReport(catalog.prisma, { productId: reorderedReports.id, inStock: false, version: 2 }), "stale");
    await anAvailabilityReport(catalog.prisma, { productId: replayed.id, inStock: true, version: 1 });
    assert.equal(await anAvailabilityReport(catalog.prisma, { productId: replayed.id, inStock: true, version: 1 }), "stale");

    const inStock = await list({ filter: { categoryId: category.id, inStock: true } });
    const outOfStock = await list({ filter: { categoryId: category.id, inStock: false } });
    sameIds(idsOf(inStock), [available.id, reorderedReports.id, replayed.id]);
    assert.equal(inStock.totalCount, 3);
    sameIds(idsOf(outOfStock), [soldOut.id, neverStocked.id]);
    assert.equal(outOfStock.totalCount, 2);
    assert.equal((await list({ filter: { categoryId: category.id } })).totalCount, 5);
  });

  it("hides archived products from listings unless an admin asks, and still resolves them by id, sku and reference", async () => {
    const category = await aCategory(catalog.prisma);
    const onSale = await aProduct(catalog.prisma, { categoryId: category.id });
    const archived = await aProduct(catalog.prisma, { categoryId: category.id, active: false, name: "Old kettle", priceAmount: 2_500 });

    sameIds(idsOf(await list({ filter: { categoryId: category.id } })), [onSale.id]);
    const forAdmin = await list({ filter: { categoryId: category.id, includeArchived: true } }, anAdmin());
    sameIds(idsOf(forAdmin), [onSale.id, archived.id]);
    assert.equal(forAdmin.totalCount, 2);
    assert.deepEqual((await listErrors({ filter: { includeArchived: true } }, aCustomer())).codes, ["FORBIDDEN"]);
    assert.deepEqual((await listErrors({ filter: { includeArchived: true } })).codes, ["UNAUTHENTICATED"]);

    const lookups = await catalog.query<{ byId: unknown; bySku: unknown; _entities: unknown[] }>(
      `query($id: ID, $sku: String, $representations: [_Any!]!) {
        byId: product(id: $id) { id active }
        bySku: product(sku: $sku) { id active }
        _entities(representations: $representations) { ... on Product { id sku name active price { amount currency } } }
      }`,
      { id: archived.id, sku: archived.sku, representations: [{ __typename: "Product", id: archived.id }] },
    );
    assert.deepEqual(lookups.byId, { id: archived.id, active: false });
    assert.deepEqual(lookups.bySku, { id: archived.id, active: false });
    assert.deepEqual(lookups._entities, [
      { id: archived.id, sku: archived.sku, name: "Old kettle", active: false, price: { amount: 2_500, currency: "EUR" } },
    ]);
  });

  it("costs the same few SQL statements for a page of 50 products with their categories and parents as for 5", async () => {
    const root = await aCategory(catalog.prisma);
    for (let i = 0; i < 50; i++) {
      const parent = await aCategory(catalog.prisma, { name: `Parent ${i}`, parentId: root.id });
      const leaf = await aCategory(catalog.prisma, { name: `Leaf ${i}`, parentId: parent.id });
      await aProduct(catalog.prisma, { categoryId: leaf.id });
    }
    const page = (first: number) =>
      catalog.query<{ products: { edges: { node: { category: { name: string; parent: { name: string } } } }[] } }>(
        `query($first: Int, $filter: ProductFilter) {
          products(first: $first, filter: $filter) {
            totalCount edges { node { id name price { amount currency } category { name parent { name } } } }
          }
        }`,
        { first, filter: { categoryId: root.id } },
      );

    const small = await catalog.database.countQueries(() => page(5));
    const large = await catalog.database.countQueries(() => page(50));
    assert.equal(large.result.products.edges.length, 50);
    assert.ok(large.result.products.edges.every(({ node }) => node.category.parent.name === node.category.name.replace("Leaf", "Parent")));
    assert.equal(large.count, small.count);
    assert.equal(
      large.count,
      3,
      `the page (products and their categories), the count, the parents; got: ${large.statements.map((s) => s.sql).join(" | ")}`,
    );
  });

  it("answers a page that asks for no totalCount in one statement: the products whole, with their categories, and no count", async () => {
    const category = await aCategory(catalog.prisma, { name: "Kettles" });
    const product = await aProduct(catalog.prisma, { categoryId: category.id, name: "One-statement kettle" });
    const counted = await catalog.database.countQueries(() =>
      catalog.query<{ products: { edges: { node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean } } }>(
        `query($filter: ProductFilter) {
          products(first: 5, filter: $filter) {
            edges { node { id sku name description images active price { amount currency } category { id name } } }
            pageInfo { hasNextPage }
          }
        }`,
        { filter: { categoryId: category.id } },
      ),
    );
    assert.deepEqual(counted.result.products.edges, [
      {
        node: {
          id: product.id,
          sku: product.sku,
          name: "One-statement kettle",
          description: product.description,
          images: product.imageUrls,
          active: true,
          price: { amount: product.priceAmount, currency: product.priceCurrency },
          category: { id: category.id, name: "Kettles" },
        },
      },
    ]);
    assert.equal(counted.count, 1, `got: ${counted.statements.map((statement) => statement.sql).join(" | ")}`);
  });
});
