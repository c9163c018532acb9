// The project's own schema lint rules (scripts/schema-lint/rules.ts), run by ESLint with graphql-eslint's parser on
// small subgraph schemas, as `npm run schema:lint` runs them on the real ones.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import graphqlEslint from "@graphql-eslint/eslint-plugin";
import { ESLint } from "eslint";
import { subgraphSchemaSdlOf } from "../../scripts/schema-checks/schemas.ts";
import { namesAnAmount, storefrontSchemaRules } from "../../scripts/schema-lint/rules.ts";

const federation = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@listSize"])`;

const types = `
  type Money { amount: Int! currency: String! }
  input MoneyInput { amount: Int! currency: String! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type Product @key(fields: "id") { id: ID! name: String! }
  type ProductEdge { cursor: String! node: Product! }
  type ProductConnection { edges: [ProductEdge!]! pageInfo: PageInfo! }
`;

/** `rule: field` for every finding of the two rules on a subgraph schema made of `types` and `sdl`. */
async function findings(sdl: string): Promise<string[]> {
  const source = `${federation}\n${types}\n${sdl}\n`;
  const eslint = new ESLint({
    overrideConfigFile: true,
    overrideConfig: {
      files: ["**/*.graphql"],
      languageOptions: {
        parser: graphqlEslint.parser,
        parserOptions: { graphQLConfig: { schema: subgraphSchemaSdlOf(source), documents: [] } },
      },
      plugins: { storefront: storefrontSchemaRules as never },
      rules: {
        "storefront/money-for-amounts": ["error", { moneyTypes: ["Money", "MoneyInput"] }],
        "storefront/list-shape": "error",
      },
    },
  });
  const [result] = await eslint.lintText(source, { filePath: "schema.graphql" });
  assert.ok(result);
  const fatal = result.messages.filter((message) => message.fatal);
  assert.deepEqual(fatal, [], "the schema parses");
  return result.messages.map((message) => `${message.ruleId?.replace("storefront/", "")}: ${message.message.match(/`([^`]+)`/)?.[1]}`);
}

describe("schema lint: the project's own rules", () => {
  it("finds nothing in a schema that follows them", async () => {
    assert.deepEqual(
      await findings(`
        type Order @key(fields: "id") {
          id: ID!
          total: Money!
          lines: [Product!]! @listSize(assumedSize: 50)
          totalCount: Int!
        }
        input PriceInput { unitPrice: MoneyInput! }
        type Query {
          products(first: Int, after: String, maxPrice: MoneyInput): ProductConnection!
            @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
          tags: [String!]!
        }
      `),
      [],
    );
  });

  it("refuses an amount of money as a bare number: fields, input fields and arguments", async () => {
    assert.deepEqual(
      await findings(`
        type Order @key(fields: "id") { id: ID! refundedAmount: Int! unitPrice: Float lineTotal: [Int!]! }
        input PriceInput { price: Int! }
        type Query { orders(minTotal: Int): [Order!]! @listSize(assumedSize: 10) }
      `),
      [
        "money-for-amounts: refundedAmount",
        "money-for-amounts: unitPrice",
        "money-for-amounts: lineTotal",
        "money-for-amounts: price",
        "money-for-amounts: minTotal",
      ],
    );
  });

  it("refuses a list of objects with no bound and a connection not sliced by first", async () => {
    assert.deepEqual(
      await findings(`
        type Category @key(fields: "id") { id: ID! products: [Product!]! }
        type Query { products(first: Int, after: String): ProductConnection! }
      `),
      ["list-shape: Category.products", "list-shape: Query.products"],
    );
  });

  it("reads names as amounts by their last word, or a first word amount", () => {
    for (const name of ["price", "unitPrice", "lineTotal", "subtotal", "shippingCost", "fee", "amountDue", "balance"])
      assert.equal(namesAnAmount(name), true, name);
    for (const name of ["totalCount", "priceRange", "currency", "costCenterId", "amounts"]) assert.equal(namesAnAmount(name), false, name);
  });
});
