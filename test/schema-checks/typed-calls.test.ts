// The calls between subgraphs are typed documents: a field that the called subgraph renames fails the caller's
// codegen and the schema check (the document no longer validates), and once the document follows the rename,
// `npm run typecheck` fails wherever the caller still reads the old name. Shown with orders' call to cart.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { generate } from "@graphql-codegen/cli";
import ts from "typescript";
import { subgraphCallCodegen } from "../../codegen.ts";
import { subgraphSchemaSdlOf } from "../../scripts/schema-checks/schemas.ts";
import { createScratchRepo, repoRoot, type ScratchRepo } from "./support/scratch-repo.ts";

const cartSdl = readFileSync(path.join(repoRoot, "subgraphs/cart/schema.graphql"), "utf8");
const ordersCallToCart = readFileSync(path.join(repoRoot, "subgraphs/orders/src/clients/cart.graphql"), "utf8");
const caller = path.join(repoRoot, "subgraphs/orders/src/clients/checkout-sources.ts");
const generatedTypes = path.join(repoRoot, "subgraphs/orders/src/generated/cart-operations.ts");

/** cart's SDL with CartItem.quantity renamed to units. */
const renamedSdl = () => {
  const renamed = cartSdl.replace(/^ {2}quantity: Int!$/m, "  units: Int!");
  assert.notEqual(renamed, cartSdl, "cart's SDL has CartItem.quantity");
  return renamed;
};

/** orders' typed documents for cart, as `npm run codegen` writes them, generated in memory. */
async function ordersCartTypes(sdl: string, documents: string): Promise<string> {
  const [output] = await generate(
    {
      silent: true,
      generates: {
        "cart-operations.ts": subgraphCallCodegen({ caller: "orders", target: "cart", schema: subgraphSchemaSdlOf(sdl), documents }),
      },
    },
    false,
  );
  assert.ok(output, "codegen wrote the file");
  return output.content;
}

// Parsed once for both programs below: everything but the generated file stays the same.
const sourceFiles = new Map<string, ts.SourceFile | undefined>();

/** What `tsc -p subgraphs/orders` says about the file that reads cart's answer, with `types` as the generated file. */
function typeErrorsOfTheCaller(types: string, reuse?: ts.Program): { messages: string[]; program: ts.Program } {
  const configPath = path.join(repoRoot, "subgraphs/orders/tsconfig.json");
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configPath));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    if (path.resolve(fileName) === generatedTypes) return ts.createSourceFile(fileName, types, languageVersion);
    if (!sourceFiles.has(fileName)) sourceFiles.set(fileName, getSourceFile.call(host, fileName, languageVersion, ...rest));
    return sourceFiles.get(fileName);
  };
  const program = ts.createProgram({ rootNames: [caller], options, host, ...(reuse ? { oldProgram: reuse } : {}) });
  const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(caller));
  return { messages: diagnostics.map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")), program };
}

describe("typed calls between subgraphs: orders → cart", { timeout: 120_000 }, () => {
  let repo: ScratchRepo;

  before(() => {
    repo = createScratchRepo();
    repo.write("subgraphs/orders/src/clients/cart.graphql", ordersCallToCart);
    repo.commit("orders' call to cart");
  });
  after(() => repo?.remove());

  it("fails codegen when cart renames a field that orders' document asks for, naming the field", async () => {
    await assert.rejects(ordersCartTypes(renamedSdl(), ordersCallToCart), /Cannot query field "quantity" on type "CartItem"/);
  });

  it("fails the schema check with the operation's name and file when cart renames a field that orders asks for", async () => {
    repo.branch("rename-quantity");
    repo.write("subgraphs/cart/schema.graphql", renamedSdl());
    repo.compose();
    repo.commit("CartItem.quantity is units now");
    const run = await repo.check();
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /✗ orders → cart: 1 operation, 1 problem/);
    assert.match(
      run.output,
      /✗ CartLines \(subgraphs\/orders\/src\/clients\/cart\.graphql:\d+\): Cannot query field "quantity" on type "CartItem"/,
    );
    assert.match(run.output, /✗ CartItem\.quantity {2}Field 'quantity' was removed from object type 'CartItem' {2}\[subgraph cart, api\]/);
  });

  it("fails npm run typecheck where orders still reads the old name, once the document follows the rename", async () => {
    const today = typeErrorsOfTheCaller(await ordersCartTypes(cartSdl, ordersCallToCart));
    assert.deepEqual(today.messages, [], "orders' checkout type-checks against cart's schema as it is");

    const followed = ordersCallToCart.replace(/^(\s+)quantity$/m, "$1units");
    assert.notEqual(followed, ordersCallToCart);
    const renamed = typeErrorsOfTheCaller(await ordersCartTypes(renamedSdl(), followed), today.program);
    assert.ok(
      renamed.messages.some((message) => /Property 'quantity' does not exist on type/.test(message)),
      `a type error where checkout reads item.quantity, got: ${renamed.messages.join("; ")}`,
    );
  });
});
