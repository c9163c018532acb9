// `npm run schema:check` on real changes made on a scratch branch of a scratch git repository: each change lands in the
// right group with its coordinate and the right exit code, accepted changes pass, client operations are validated.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type CheckRun, createScratchRepo, type ScratchRepo, schemaCheckAt, schemaCheckCommand } from "./support/scratch-repo.ts";

/** The lines of one group of the report ("breaking", "dangerous", "safe"), up to the next group or section. */
function group(run: CheckRun, level: string): string[] {
  const lines = run.output.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`  ${level} (`));
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && !line.startsWith("    "));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

const lineFor = (run: CheckRun, level: string, coordinate: string) =>
  group(run, level).find((line) => line.trimStart().split(/\s+/)[1] === coordinate);

const removeInStock = (sdl: string) => sdl.replace(/ {2}"""\n {2}True when at least one unit[\s\S]*?\n {2}inStock: Boolean\n/, "");

describe("npm run schema:check against the base branch", { timeout: 120_000 }, () => {
  let repo: ScratchRepo;

  before(() => {
    repo = createScratchRepo();
    // a storefront page that reads a field the tests remove, as the web app's code would hold it
    repo.write(
      "apps/web/src/pages/ProductPage.tsx",
      [
        'import { graphql } from "../gql";',
        "",
        "export const productPage = graphql(`",
        "  query ProductPage($id: ID!) {",
        "    product(id: $id) { id name inStock price { amount currency } }",
        "  }",
        "`);",
        "",
      ].join("\n"),
    );
    repo.commit("a web page");
  });
  after(() => repo?.remove());

  it("passes with no changes when HEAD is the base, as on main in CI", async () => {
    repo.branch("main-again");
    const run = await repo.check();
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /Changes against main \(\w+, which is HEAD/);
    assert.match(run.output, /no changes/);
    assert.match(run.output, /✓ storefront web app: 1 operation, valid/);
  });

  it("grades removing a field as breaking, names its coordinate and fails", async () => {
    repo.branch("remove-field");
    repo.edit("subgraphs/inventory/schema.graphql", removeInStock);
    repo.compose();
    repo.commit("remove Product.inStock");
    const run = schemaCheckCommand(repo.dir); // the command itself, for its exit code
    assert.equal(run.code, 1, run.output);
    const line = lineFor(run, "breaking", "Product.inStock");
    assert.ok(line, run.output);
    assert.match(line, /✗ Product\.inStock {2}Field 'inStock' was removed from object type 'Product' {2}\[subgraph inventory, api\]/);
    assert.match(run.output, /Schema check failed: 1 breaking change not accepted/);
  });

  it("grades making an argument required as breaking", async () => {
    repo.branch("require-argument");
    repo.edit("subgraphs/catalog/schema.graphql", (sdl) => sdl.replace('"The product\'s id." id: ID,', '"The product\'s id." id: ID!,'));
    repo.compose();
    repo.commit("Query.product needs an id");
    const run = await repo.check();
    assert.equal(run.code, 1, run.output);
    assert.match(lineFor(run, "breaking", "Query.product(id:)") ?? run.output, /changed from 'ID' to 'ID!'.*\[subgraph catalog, api\]/);
  });

  it("grades adding an optional field as safe and passes", async () => {
    repo.branch("add-field");
    repo.edit("subgraphs/catalog/schema.graphql", (sdl) =>
      sdl.replace(
        '  "False when the product is archived',
        '  "Shipping weight in grams; null when unknown."\n  weightGrams: Int\n  "False when the product is archived',
      ),
    );
    repo.compose();
    repo.commit("Product.weightGrams");
    const run = await repo.check();
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(group(run, "breaking"), []);
    assert.match(lineFor(run, "safe", "Product.weightGrams") ?? run.output, /Field 'weightGrams' was added to object type 'Product'/);
    assert.match(run.output, /Schema check passed/);
  });

  it("grades removing an event property as breaking for its consumers", async () => {
    repo.branch("remove-event-property");
    repo.edit("packages/events/schemas/order.placed.v1.json", (text) => {
      const schema = JSON.parse(text);
      delete schema.properties.data.properties.items.items.properties.sku;
      return `${JSON.stringify(schema, null, 2)}\n`;
    });
    repo.commit("order.placed without sku");
    const run = await repo.check();
    assert.equal(run.code, 1, run.output);
    assert.match(
      lineFor(run, "breaking", "order.placed.v1#data.items[].sku") ?? run.output,
      /Property 'data.items\[\].sku' was removed.*\[event order.placed.v1\]/,
    );
  });

  it("passes a breaking change that schema/accepted-changes accepts, and says so", async () => {
    repo.branch("accepted-removal");
    repo.edit("subgraphs/inventory/schema.graphql", removeInStock);
    repo.edit("subgraphs/catalog/schema.graphql", (sdl) => sdl.replace('"The product\'s id." id: ID,', '"The product\'s id." id: ID!,'));
    repo.compose();
    repo.write(
      "schema/accepted-changes",
      "# accepted on purpose\nQuery.product(id:)  Every client looks products up by id since the SKU lookup moved to Query.productBySku.\n",
    );
    repo.write("apps/web/src/pages/ProductPage.tsx", repo.read("apps/web/src/pages/ProductPage.tsx").replace(" inStock", ""));
    repo.commit("product by id only, accepted");
    let run = await repo.check();
    assert.equal(run.code, 1, `Product.inStock is not accepted yet:\n${run.output}`);
    assert.match(run.output, /breaking \(2, 1 accepted\)/);
    assert.match(
      lineFor(run, "breaking", "Query.product(id:)") ?? run.output,
      /^ {4}✓ .*accepted \(schema\/accepted-changes:2\): Every client looks products up by id/,
    );

    repo.write(
      "schema/accepted-changes",
      `${repo.read("schema/accepted-changes")}Product.inStock  Clients read Product.inventory.available; the web app no longer asks for it.\n`,
    );
    repo.commit("Product.inStock accepted too");
    run = await repo.check();
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /breaking \(2, 2 accepted\)/);
  });

  it("accepts nothing with an entry that is already in the base: it accepted an earlier change", async () => {
    repo.branch("main");
    repo.write("schema/accepted-changes", "Product.inStock  Accepted for an earlier removal that was reverted since.\n");
    repo.commit("an old acceptance");
    repo.branch("remove-again");
    repo.edit("subgraphs/inventory/schema.graphql", removeInStock);
    repo.compose();
    repo.write("apps/web/src/pages/ProductPage.tsx", repo.read("apps/web/src/pages/ProductPage.tsx").replace(" inStock", ""));
    repo.commit("remove Product.inStock again");
    const run = await repo.check();
    assert.equal(run.code, 1, run.output);
    assert.match(lineFor(run, "breaking", "Product.inStock") ?? run.output, /^ {4}✗/);
    assert.match(run.output, /1 entry of schema\/accepted-changes came with earlier changes/);
  });

  it("fails an operation of a client document that uses a removed field, naming it and its file", async () => {
    repo.branch("break-the-web-app");
    repo.edit("subgraphs/inventory/schema.graphql", removeInStock);
    repo.compose();
    repo.write(
      "schema/accepted-changes",
      "Product.inStock  Accepted, but the web app still reads it: the operation check must catch that.\n",
    );
    repo.commit("remove Product.inStock, accepted");
    const run = await repo.check();
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /breaking \(1, 1 accepted\)/);
    assert.match(run.output, /✗ storefront web app: 1 operation, 1 problem/);
    assert.match(
      run.output,
      /✗ ProductPage \(apps\/web\/src\/pages\/ProductPage\.tsx:5\): Cannot query field "inStock" on type "Product"\./,
    );
    assert.match(run.output, /Schema check failed: 1 operation problem/);
  });

  it("fails for a base that does not exist, and says how to fetch one", async () => {
    const run = schemaCheckCommand(repo.dir, "--base", "no-such-branch");
    assert.equal(run.code, 2, run.output);
    assert.match(run.output, /--base no-such-branch names no commit here/);
  });

  it("works in a shallow clone of main, where HEAD is the base", async () => {
    repo.branch("main");
    const clone = mkdtempSync(path.join(tmpdir(), "storefront-schema-shallow-"));
    try {
      repo.git("clone", "-q", "--depth", "1", "--branch", "main", `file://${repo.dir}`, clone);
      const run = await schemaCheckAt(clone);
      assert.equal(run.code, 0, run.output);
      assert.match(run.output, /no changes/);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it("skips the comparison in a checkout without git history, and says why", async () => {
    repo.branch("main");
    const tarball = mkdtempSync(path.join(tmpdir(), "storefront-schema-tarball-"));
    try {
      cpSync(repo.dir, tarball, { recursive: true, filter: (source) => !source.split(path.sep).includes(".git") });
      const run = await schemaCheckAt(tarball);
      assert.equal(run.code, 0, run.output);
      assert.match(run.output, /skipped: not a git checkout/);
      assert.match(run.output, /schema\/supergraph\.graphql is up to date/);
    } finally {
      rmSync(tarball, { recursive: true, force: true });
    }
  });
});
