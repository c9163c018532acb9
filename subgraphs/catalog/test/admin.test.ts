import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Viewer } from "@storefront/auth";
import { errorCodes, type GraphQLResult, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { catalogSubgraph } from "../src/index.ts";
import { aCategory, aCustomer, anAdmin, aProduct, aUniqueWord, catalogState } from "./builders.ts";

const PRODUCT_FIELDS = "id sku name description price { amount currency } category { id } images active createdAt updatedAt";
const CREATE_PRODUCT = `mutation($input: CreateProductInput!) { createProduct(input: $input) { ${PRODUCT_FIELDS} } }`;
const UPDATE_PRODUCT = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { ${PRODUCT_FIELDS} } }`;
const ARCHIVE_PRODUCT = "mutation($id: ID!) { archiveProduct(id: $id) { id active } }";
const RESTORE_PRODUCT = "mutation($id: ID!) { restoreProduct(id: $id) { id active } }";
const CATEGORY_FIELDS = "id slug name parent { id } children { id } path { slug }";
const CREATE_CATEGORY = `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { ${CATEGORY_FIELDS} } }`;
const UPDATE_CATEGORY = `mutation($id: ID!, $input: UpdateCategoryInput!) { updateCategory(id: $id, input: $input) { ${CATEGORY_FIELDS} } }`;
const MOVE_CATEGORY = `mutation($id: ID!, $parentId: ID) { moveCategory(id: $id, parentId: $parentId) { ${CATEGORY_FIELDS} } }`;

type ProductView = {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: { amount: number; currency: string };
  category: { id: string } | null;
  images: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
};
type CategoryView = {
  id: string;
  slug: string;
  name: string;
  parent: { id: string } | null;
  children: { id: string }[];
  path: { slug: string }[];
};

/** A valid createProduct input; override what a test is about. */
const aProductInput = (overrides: Record<string, unknown> = {}) => ({
  sku: `NEW-${aUniqueWord()}`,
  name: "Pour-over kettle",
  description: "Gooseneck, 1 l.",
  price: { amount: 4_990, currency: "EUR" },
  images: ["https://images.example.com/kettle.jpg"],
  ...overrides,
});

describe("catalog administration", () => {
  let catalog: TestSubgraph<PrismaClient>;
  const admin = anAdmin();

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
  });
  after(() => catalog.close());

  const asAdmin = <Data>(query: string, variables: Record<string, unknown>) => catalog.query<Data>(query, variables, { viewer: admin });
  const failure = (result: GraphQLResult<unknown>) => ({
    codes: errorCodes(result),
    arguments: (result.errors ?? []).map((error) => error.extensions?.argument),
  });

  /** Runs a mutation that must fail, and checks that it changed nothing in the catalog. */
  async function refused(query: string, variables: Record<string, unknown>, viewer: Viewer | null = admin) {
    const before = await catalogState(catalog.prisma);
    const result = await catalog.execute(query, variables, { viewer });
    assert.deepEqual(await catalogState(catalog.prisma), before, "a refused mutation changes nothing");
    assert.equal(result.data?.[Object.keys(result.data ?? {})[0] ?? ""] ?? null, null);
    return failure(result);
  }

  describe("products", () => {
    it("creates a product with its price, category and images, and serves it by sku", async () => {
      const category = await aCategory(catalog.prisma);
      const input = aProductInput({ name: "  Pour-over kettle  ", categoryId: category.id });
      const { createProduct } = await asAdmin<{ createProduct: ProductView }>(CREATE_PRODUCT, { input });

      assert.deepEqual(
        { ...createProduct, id: undefined, createdAt: undefined, updatedAt: undefined },
        {
          id: undefined,
          sku: input.sku,
          name: "Pour-over kettle",
          description: "Gooseneck, 1 l.",
          price: { amount: 4_990, currency: "EUR" },
          category: { id: category.id },
          images: ["https://images.example.com/kettle.jpg"],
          active: true,
          createdAt: undefined,
          updatedAt: undefined,
        },
      );
      const bySku = await catalog.query<{ product: { id: string } }>("query($sku: String) { product(sku: $sku) { id } }", {
        sku: input.sku,
      });
      assert.equal(bySku.product.id, createProduct.id);
    });

    it("refuses a SKU that is already in use with CONFLICT, also when two admins race for it", async () => {
      const existing = await aProduct(catalog.prisma, { name: "First" });
      assert.deepEqual(await refused(CREATE_PRODUCT, { input: aProductInput({ sku: existing.sku }) }), {
        codes: ["CONFLICT"],
        arguments: ["input.sku"],
      });

      const sku = `RACE-${aUniqueWord()}`;
      const results = await Promise.all(
        Array.from({ length: 4 }, () => catalog.execute(CREATE_PRODUCT, { input: aProductInput({ sku }) }, { viewer: admin })),
      );
      assert.deepEqual(results.map((result) => errorCodes(result)).sort(), [[], ["CONFLICT"], ["CONFLICT"], ["CONFLICT"]]);
      assert.equal(await catalog.prisma.product.count({ where: { sku } }), 1);
    });

    it("lists the currencies a price may be set in, and takes a price in each of them", async () => {
      const { priceCurrencies } = await catalog.query<{ priceCurrencies: string[] }>("{ priceCurrencies }", {});
      assert.deepEqual(priceCurrencies, ["EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK"]);
      for (const currency of priceCurrencies) {
        const { createProduct } = await asAdmin<{ createProduct: ProductView }>(CREATE_PRODUCT, {
          input: aProductInput({ price: { amount: 1_000, currency } }),
        });
        assert.deepEqual(createProduct.price, { amount: 1_000, currency });
      }
    });

    it("refuses a negative, fractional or too large price and an unsupported currency with BAD_USER_INPUT", async () => {
      assert.deepEqual(await refused(CREATE_PRODUCT, { input: aProductInput({ price: { amount: -1, currency: "EUR" } }) }), {
        codes: ["BAD_USER_INPUT"],
        arguments: ["input.price.amount"],
      });
      assert.deepEqual(await refused(CREATE_PRODUCT, { input: aProductInput({ price: { amount: 0, currency: "XAU" } }) }), {
        codes: ["BAD_USER_INPUT"],
        arguments: ["input.price.currency"],
      });
      // GraphQL's own coercion refuses these before a resolver runs, with the same code.
      for (const price of [
        { amount: 19.99, currency: "EUR" },
        { amount: 2 ** 31, currency: "EUR" },
        { amount: 100, currency: "EURO" },
      ]) {
        assert.deepEqual(
          (await refused(CREATE_PRODUCT, { input: aProductInput({ price }) })).codes,
          ["BAD_USER_INPUT"],
          JSON.stringify(price),
        );
      }
    });

    it("refuses an unknown category with BAD_USER_INPUT naming input.categoryId", async () => {
      for (const categoryId of [randomUUID(), "not-a-uuid"]) {
        assert.deepEqual(await refused(CREATE_PRODUCT, { input: aProductInput({ categoryId }) }), {
          codes: ["BAD_USER_INPUT"],
          arguments: ["input.categoryId"],
        });
      }
    });

    it("refuses an empty, blank, too long or multi-line name, a bad SKU and bad image URLs, naming the argument", async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ name: "" }, "input.name"],
        [{ name: "   " }, "input.name"],
        [{ name: "x".repeat(201) }, "input.name"],
        [{ name: "Kettle\nwith a second line" }, "input.name"],
        [{ sku: "has space" }, "input.sku"],
        [{ sku: "" }, "input.sku"],
        [{ sku: "-LEADING-DASH" }, "input.sku"],
        [{ description: "x".repeat(5_001) }, "input.description"],
        [{ images: ["javascript:alert(1)"] }, "input.images[0]"],
        [{ images: ["https://ok.example.com/a.jpg", "not a url"] }, "input.images[1]"],
        [{ images: Array.from({ length: 11 }, (_, i) => `https://images.example.com/${i}.jpg`) }, "input.images"],
      ];
      for (const [overrides, argument] of cases) {
        assert.deepEqual(
          await refused(CREATE_PRODUCT, { input: aProductInput(overrides) }),
          { codes: ["BAD_USER_INPUT"], arguments: [argument] },
          JSON.stringify(overrides).slice(0, 80),
        );
      }
      const longest = await asAdmin<{ createProduct: ProductView }>(CREATE_PRODUCT, { input: aProductInput({ name: "x".repeat(200) }) });
      assert.equal(longest.createProduct.name.length, 200);
    });

    it("changes only the fields given, and can take a product out of its category", async () => {
      const category = await aCategory(catalog.prisma);
      const product = await aProduct(catalog.prisma, { name: "Mug", description: "Stoneware.", priceAmount: 900, categoryId: category.id });

      const repriced = await asAdmin<{ updateProduct: ProductView }>(UPDATE_PRODUCT, {
        id: product.id,
        input: { price: { amount: 1_200, currency: "EUR" } },
      });
      assert.deepEqual(
        [repriced.updateProduct.name, repriced.updateProduct.description, repriced.updateProduct.price, repriced.updateProduct.category],
        ["Mug", "Stoneware.", { amount: 1_200, currency: "EUR" }, { id: category.id }],
      );
      assert.ok(new Date(repriced.updateProduct.updatedAt) > product.updatedAt, "updatedAt moves");

      const uncategorized = await asAdmin<{ updateProduct: ProductView }>(UPDATE_PRODUCT, {
        id: product.id,
        input: { categoryId: null, name: "Big mug", images: [] },
      });
      assert.deepEqual(
        [uncategorized.updateProduct.name, uncategorized.updateProduct.category, uncategorized.updateProduct.price.amount],
        ["Big mug", null, 1_200],
      );
      assert.equal(uncategorized.updateProduct.sku, product.sku);
    });

    it("refuses to update an unknown product (NOT_FOUND), an empty change, a null name and an unknown category", async () => {
      const product = await aProduct(catalog.prisma);
      assert.deepEqual(await refused(UPDATE_PRODUCT, { id: randomUUID(), input: { name: "X" } }), {
        codes: ["NOT_FOUND"],
        arguments: ["id"],
      });
      assert.deepEqual(await refused(UPDATE_PRODUCT, { id: "42", input: { name: "X" } }), { codes: ["NOT_FOUND"], arguments: ["id"] });
      assert.deepEqual(await refused(UPDATE_PRODUCT, { id: product.id, input: {} }), { codes: ["BAD_USER_INPUT"], arguments: ["input"] });
      assert.deepEqual(await refused(UPDATE_PRODUCT, { id: product.id, input: { name: null } }), {
        codes: ["BAD_USER_INPUT"],
        arguments: ["input.name"],
      });
      assert.deepEqual(await refused(UPDATE_PRODUCT, { id: product.id, input: { categoryId: randomUUID() } }), {
        codes: ["BAD_USER_INPUT"],
        arguments: ["input.categoryId"],
      });
      assert.deepEqual(await refused(UPDATE_PRODUCT, { id: product.id, input: { name: "ok", price: { amount: -5, currency: "EUR" } } }), {
        codes: ["BAD_USER_INPUT"],
        arguments: ["input.price.amount"],
      });
    });

    it("archives a product out of the listings and restores it, both idempotently", async () => {
      const category = await aCategory(catalog.prisma);
      const product = await aProduct(catalog.prisma, { categoryId: category.id });
      const listed = async () =>
        (
          await catalog.query<{ products: { totalCount: number } }>(
            "query($filter: ProductFilter) { products(filter: $filter) { totalCount } }",
            { filter: { categoryId: category.id } },
          )
        ).products.totalCount;

      assert.deepEqual((await asAdmin<{ archiveProduct: unknown }>(ARCHIVE_PRODUCT, { id: product.id })).archiveProduct, {
        id: product.id,
        active: false,
      });
      assert.deepEqual((await asAdmin<{ archiveProduct: unknown }>(ARCHIVE_PRODUCT, { id: product.id })).archiveProduct, {
        id: product.id,
        active: false,
      });
      assert.equal(await listed(), 0);
      const stillThere = await catalog.query<{ product: unknown }>("query($id: ID) { product(id: $id) { id active } }", { id: product.id });
      assert.deepEqual(stillThere.product, { id: product.id, active: false });

      assert.deepEqual((await asAdmin<{ restoreProduct: unknown }>(RESTORE_PRODUCT, { id: product.id })).restoreProduct, {
        id: product.id,
        active: true,
      });
      assert.equal(await listed(), 1);
      assert.deepEqual(await refused(ARCHIVE_PRODUCT, { id: randomUUID() }), { codes: ["NOT_FOUND"], arguments: ["id"] });
      assert.deepEqual(await refused(RESTORE_PRODUCT, { id: "nope" }), { codes: ["NOT_FOUND"], arguments: ["id"] });
    });
  });

  describe("categories", () => {
    it("creates a category with a slug derived from its name, under a parent", async () => {
      const parent = await aCategory(catalog.prisma, { slug: `home-${aUniqueWord()}` });
      const name = `Café & Küche ${aUniqueWord()}`;
      const { createCategory } = await asAdmin<{ createCategory: CategoryView }>(CREATE_CATEGORY, { input: { name, parentId: parent.id } });
      assert.match(createCategory.slug, /^cafe-kuche-w[0-9a-f]{12}$/);
      assert.deepEqual(createCategory.parent, { id: parent.id });
      assert.deepEqual(
        createCategory.path.map((step) => step.slug),
        [parent.slug, createCategory.slug],
      );
    });

    it("refuses a slug in use (CONFLICT), a malformed or underivable slug and an unknown parent (BAD_USER_INPUT)", async () => {
      const existing = await aCategory(catalog.prisma);
      assert.deepEqual(await refused(CREATE_CATEGORY, { input: { name: "Dup", slug: existing.slug } }), {
        codes: ["CONFLICT"],
        arguments: ["input.slug"],
      });
      for (const slug of ["Upper", "two--dashes", "-edge", "spa ce", "x".repeat(65)]) {
        assert.deepEqual(await refused(CREATE_CATEGORY, { input: { name: "Bad slug", slug } }), {
          codes: ["BAD_USER_INPUT"],
          arguments: ["input.slug"],
        });
      }
      assert.deepEqual(await refused(CREATE_CATEGORY, { input: { name: "日本" } }), {
        codes: ["BAD_USER_INPUT"],
        arguments: ["input.slug"],
      });
      assert.deepEqual(await refused(CREATE_CATEGORY, { input: { name: "   " } }), {
        codes: ["BAD_USER_INPUT"],
        arguments: ["input.name"],
      });
      for (const parentId of [randomUUID(), "x"]) {
        assert.deepEqual(await refused(CREATE_CATEGORY, { input: { name: "Orphan", parentId } }), {
          codes: ["BAD_USER_INPUT"],
          arguments: ["input.parentId"],
        });
      }
    });

    it("renames a category and changes its slug, refusing a slug in use", async () => {
      const category = await aCategory(catalog.prisma, { name: "Kitchen" });
      const other = await aCategory(catalog.prisma);
      const slug = `kitchen-${aUniqueWord()}`;
      const { updateCategory } = await asAdmin<{ updateCategory: CategoryView }>(UPDATE_CATEGORY, {
        id: category.id,
        input: { name: "Kitchen & Dining", slug },
      });
      assert.deepEqual([updateCategory.name, updateCategory.slug], ["Kitchen & Dining", slug]);
      assert.deepEqual(await refused(UPDATE_CATEGORY, { id: category.id, input: { slug: other.slug } }), {
        codes: ["CONFLICT"],
        arguments: ["input.slug"],
      });
      assert.deepEqual(await refused(UPDATE_CATEGORY, { id: randomUUID(), input: { name: "Nobody" } }), {
        codes: ["NOT_FOUND"],
        arguments: ["id"],
      });
      assert.deepEqual(await refused(UPDATE_CATEGORY, { id: category.id, input: {} }), { codes: ["BAD_USER_INPUT"], arguments: ["input"] });
    });

    it("moves a category with its subtree under another parent, and to the top level", async () => {
      const home = await aCategory(catalog.prisma);
      const kitchen = await aCategory(catalog.prisma, { parentId: home.id });
      const kettles = await aCategory(catalog.prisma, { parentId: kitchen.id });
      const garden = await aCategory(catalog.prisma);
      const kettle = await aProduct(catalog.prisma, { categoryId: kettles.id });
      const inCategory = async (categoryId: string) =>
        (
          await catalog.query<{ products: { edges: { node: { id: string } }[] } }>(
            "query($filter: ProductFilter) { products(filter: $filter) { edges { node { id } } } }",
            { filter: { categoryId } },
          )
        ).products.edges.map((edge) => edge.node.id);

      const { moveCategory } = await asAdmin<{ moveCategory: CategoryView }>(MOVE_CATEGORY, { id: kitchen.id, parentId: garden.id });
      assert.deepEqual(moveCategory.parent, { id: garden.id });
      assert.deepEqual(
        moveCategory.path.map((step) => step.slug),
        [garden.slug, kitchen.slug],
      );
      assert.deepEqual(await inCategory(garden.id), [kettle.id]);
      assert.deepEqual(await inCategory(home.id), []);

      const topLevel = await asAdmin<{ moveCategory: CategoryView }>(MOVE_CATEGORY, { id: kitchen.id, parentId: null });
      assert.equal(topLevel.moveCategory.parent, null);
      assert.deepEqual(await inCategory(garden.id), []);
      assert.deepEqual(await inCategory(kitchen.id), [kettle.id]);
    });

    it("refuses a move under the category itself or below it (CONFLICT), of an unknown category and to an unknown parent", async () => {
      const root = await aCategory(catalog.prisma);
      const child = await aCategory(catalog.prisma, { parentId: root.id });
      const grandchild = await aCategory(catalog.prisma, { parentId: child.id });

      for (const parentId of [root.id, child.id, grandchild.id]) {
        assert.deepEqual(await refused(MOVE_CATEGORY, { id: root.id, parentId }), { codes: ["CONFLICT"], arguments: ["parentId"] });
      }
      assert.deepEqual(await refused(MOVE_CATEGORY, { id: randomUUID(), parentId: null }), { codes: ["NOT_FOUND"], arguments: ["id"] });
      for (const parentId of [randomUUID(), "nope"]) {
        assert.deepEqual(await refused(MOVE_CATEGORY, { id: child.id, parentId }), { codes: ["BAD_USER_INPUT"], arguments: ["parentId"] });
      }
    });

    it("never lets two concurrent moves make a cycle", async () => {
      const a = await aCategory(catalog.prisma);
      const b = await aCategory(catalog.prisma);
      const results = await Promise.all([
        catalog.execute(MOVE_CATEGORY, { id: a.id, parentId: b.id }, { viewer: admin }),
        catalog.execute(MOVE_CATEGORY, { id: b.id, parentId: a.id }, { viewer: admin }),
      ]);
      assert.deepEqual(results.map((result) => errorCodes(result)).sort(), [[], ["CONFLICT"]]);
      const [aNow, bNow] = await Promise.all([
        catalog.prisma.category.findUniqueOrThrow({ where: { id: a.id } }),
        catalog.prisma.category.findUniqueOrThrow({ where: { id: b.id } }),
      ]);
      assert.ok((aNow.parentId === b.id) !== (bNow.parentId === a.id), "exactly one moved under the other");
    });
  });

  describe("who may administer", () => {
    it("answers UNAUTHENTICATED to anonymous callers and FORBIDDEN to customers, for every mutation, changing nothing", async () => {
      const product = await aProduct(catalog.prisma);
      const category = await aCategory(catalog.prisma);
      const other = await aCategory(catalog.prisma);
      const attempts: [string, Record<string, unknown>][] = [
        [CREATE_PRODUCT, { input: aProductInput() }],
        [UPDATE_PRODUCT, { id: product.id, input: { price: { amount: 1, currency: "EUR" } } }],
        [ARCHIVE_PRODUCT, { id: product.id }],
        [RESTORE_PRODUCT, { id: product.id }],
        [CREATE_CATEGORY, { input: { name: `New ${aUniqueWord()}` } }],
        [UPDATE_CATEGORY, { id: category.id, input: { name: "Renamed" } }],
        [MOVE_CATEGORY, { id: category.id, parentId: other.id }],
      ];
      for (const [mutation, variables] of attempts) {
        const name = mutation.match(/\{ (\w+)\(/)?.[1];
        assert.deepEqual((await refused(mutation, variables, null)).codes, ["UNAUTHENTICATED"], `${name} anonymous`);
        assert.deepEqual((await refused(mutation, variables, aCustomer())).codes, ["FORBIDDEN"], `${name} as a customer`);
      }
    });

    it("declares every mutation admin-only in the schema with @requiresScopes", async () => {
      const { _service } = await catalog.query<{ _service: { sdl: string } }>("{ _service { sdl } }");
      const mutationBlock = _service.sdl.slice(_service.sdl.indexOf("type Mutation"));
      const fields = mutationBlock
        .slice(0, mutationBlock.indexOf("\n}"))
        .split(/\n(?= {2}\w+\()/)
        .slice(1);
      assert.equal(fields.length, 7);
      for (const field of fields) assert.match(field, /@requiresScopes\(scopes: \[\["admin"\]\]\)/, field.trim().split("(")[0]);
    });
  });
});
