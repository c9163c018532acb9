// A subgraph's outage, on real processes: the router answers within that subgraph's timeout, nulls only the fields
// it contributes (they are nullable by the schema rule in schema/README.md) with errors naming it, and sends the rest.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { graphqlRequest, type SupergraphProcesses, startSupergraphProcesses } from "@storefront/testkit";
import { parse } from "graphql";
import { eventually } from "./support/shop.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const sdl = (name: string) => parse(readFileSync(path.join(repoRoot, "subgraphs", name, "schema.graphql"), "utf8"));

const LISTING =
  "query Listing { products(first: 5, sort: NAME) { edges { node { sku name price { amount } inStock inventory { available } } } } }";
type Listing = {
  products: {
    edges: {
      node: { sku: string; name: string; price: { amount: number }; inStock: boolean | null; inventory: { available: number } | null };
    }[];
  };
};

async function askListing(routerUrl: string) {
  const { status, body } = await graphqlRequest<Listing>(routerUrl, LISTING);
  assert.equal(status, 200);
  return body;
}

/** The stock fields of every listed product, each with a SERVICE_UNAVAILABLE error naming inventory at its path. */
function assertStockMissing(body: Awaited<ReturnType<typeof askListing>>, reasons: readonly string[]): void {
  const nodes = body.data?.products.edges.map((edge) => edge.node) ?? [];
  assert.equal(nodes.length, 5, "the catalog's listing arrives");
  for (const node of nodes) {
    assert.ok(node.sku && node.name && node.price.amount > 0, "the catalog's fields are there");
    assert.equal(node.inStock, null);
    assert.equal(node.inventory, null);
  }
  const expected = nodes.flatMap((_, i) => [`products.edges.${i}.node.inStock`, `products.edges.${i}.node.inventory`]).sort();
  assert.deepEqual((body.errors ?? []).map((error) => (error as { path?: unknown[] }).path?.join(".")).sort(), expected);
  for (const error of body.errors ?? []) {
    assert.equal(error.extensions?.code, "SERVICE_UNAVAILABLE");
    assert.equal(error.extensions?.service, "inventory");
    assert.ok(reasons.includes(String(error.extensions?.reason)), `reason ${String(error.extensions?.reason)}`);
    assert.match(error.message, /inventory service/);
  }
}

/** The JSON lines of a process's output. */
function logLines(output: string): Record<string, unknown>[] {
  return output.split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe("a subgraph's outage, through the router on real processes", { timeout: 180_000 }, () => {
  let stack: SupergraphProcesses;
  let dir: string;

  before(async () => {
    // Catalog and inventory alone: the router's readiness asks every subgraph of its supergraph.
    const composed = composeServices([
      { name: "catalog", url: "http://127.0.0.1:4002/graphql", typeDefs: sdl("catalog") },
      { name: "inventory", url: "http://127.0.0.1:4003/graphql", typeDefs: sdl("inventory") },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join("\n"));
    dir = mkdtempSync(path.join(tmpdir(), "degradation-"));
    writeFileSync(path.join(dir, "supergraph.graphql"), composed.supergraphSdl);
    stack = await startSupergraphProcesses({
      subgraphs: ["catalog", "inventory"],
      // The response cache would answer the same listing from memory during the outage (it may, within the hints' maxAge).
      env: { SUPERGRAPH_PATH: path.join(dir, "supergraph.graphql"), SUBGRAPH_TIMEOUTS: "inventory:1000", RESPONSE_CACHE_ENABLED: "false" },
    });
  });
  after(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers a listing while inventory is frozen (SIGSTOP) once inventory's timeout passes: stock null with SERVICE_UNAVAILABLE naming inventory at each stock field, the catalog's fields there", async () => {
    const healthy = await askListing(stack.routerUrl);
    assert.deepEqual(healthy.errors, undefined);
    assert.ok(healthy.data?.products.edges.every((edge) => typeof edge.node.inStock === "boolean"));

    const inventory = stack.child("inventory");
    inventory.kill("SIGSTOP");
    try {
      assertStockMissing(await askListing(stack.routerUrl), ["timeout"]);
    } finally {
      inventory.kill("SIGCONT");
    }
    const warning = logLines(stack.output("router")).find((line) => line.msg === "subgraph call failed");
    assert.ok(warning, "the router logs the failed call");
    assert.equal(warning.level, "warn");
    assert.equal(warning.subgraph, "inventory");
    assert.equal(warning.reason, "timeout");
    assert.equal(typeof warning.requestId, "string");
    assert.equal(typeof warning.durationMs, "number");
    await eventually(
      () => askListing(stack.routerUrl),
      (body) => body.errors === undefined,
      "the listing has stock again once inventory runs",
      15_000,
    );
  });

  it("serves listings with stock null and errors naming inventory at their paths once inventory is killed, then stops calling it (circuit open)", async () => {
    const inventory = stack.child("inventory");
    const exited = new Promise((resolve) => inventory.once("exit", resolve));
    inventory.kill("SIGKILL");
    await exited;

    // A kept-alive connection may break under the first call instead of being refused.
    assertStockMissing(await askListing(stack.routerUrl), ["unreachable", "connection_lost"]);
    const open = await eventually(
      () => askListing(stack.routerUrl),
      (body) => body.errors?.[0]?.extensions?.reason === "circuit_open",
      "the circuit opens after consecutive failures",
      15_000,
    );
    assertStockMissing(open, ["circuit_open"]);
  });
});
