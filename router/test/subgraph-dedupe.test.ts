// In-flight deduplication of subgraph queries: identical queries of one identity share one subgraph call while it is
// in flight; different tokens, mutations and queries sent after a mutation never share. A proxy in front of the real
// catalog subgraph holds calls until the test releases them, so "concurrent" is a fact of the test, not a timing.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { createAccessTokenVerifier } from "@storefront/auth";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import type { Logger, RunningHttpServer } from "@storefront/service";
import { type ReadableSpan, recordSpansInMemory, type SpanRecorder } from "@storefront/telemetry";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { type GraphQLFormattedError, parse } from "graphql";
import { pino } from "pino";
import { createRouter, readRouterSettings } from "../src/index.ts";
import type { CallOutcome } from "../src/subgraphs/client.ts";
import { createCallSharing } from "../src/subgraphs/dedupe.ts";
import { type HoldingProxy, startHoldingProxy } from "./support/holding-proxy.ts";
import { newSigningKey, signToken, startJwksServer, type TestJwksServer, type TestSigningKey } from "./support/keys.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");

const SHELF = "query Shelf { products(first: 5, sort: NAME) { edges { node { sku name } } } }";
type Answer = { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[] };

/** Polls `condition` every 10 ms; fails after 10 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `${what}: not within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("in-flight deduplication of subgraph queries", { timeout: 120_000 }, () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let proxy: HoldingProxy;
  let key: TestSigningKey;
  let jwks: TestJwksServer;
  let router: RunningHttpServer;
  let dir: string;
  let spans: SpanRecorder;
  let productId: string;
  const lines: Record<string, unknown>[] = [];
  const joinedLines = () => lines.filter((line) => line.msg === "joined an identical subgraph call in flight");

  async function ask(query: string, options: { token?: string; requestId?: string; signal?: AbortSignal } = {}): Promise<Answer> {
    const response = await fetch(router.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.requestId ? { "x-request-id": options.requestId } : {}),
      },
      body: JSON.stringify({ query }),
      signal: options.signal ?? AbortSignal.timeout(20_000),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as Answer;
  }

  before(async () => {
    spans = recordSpansInMemory();
    key = await newSigningKey();
    jwks = await startJwksServer([key]);
    catalog = await startTestSubgraph(catalogSubgraph, {
      verifyAccessToken: createAccessTokenVerifier({ jwks: { keys: [key.publicJwk] } }),
    });
    for (const sku of ["SHARED-A", "SHARED-B"]) {
      const product = await catalog.prisma.product.create({ data: { sku, name: `Shared ${sku}`, priceAmount: 100, priceCurrency: "EUR" } });
      productId = product.id;
    }
    proxy = await startHoldingProxy(catalog.url);
    const composed = composeServices([
      { name: "catalog", url: proxy.url, typeDefs: parse(readFileSync(path.join(repoRoot, "subgraphs/catalog/schema.graphql"), "utf8")) },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join("\n"));
    dir = mkdtempSync(path.join(tmpdir(), "subgraph-dedupe-"));
    writeFileSync(path.join(dir, "supergraph.graphql"), composed.supergraphSdl);
    const logger: Logger = pino(
      { level: "debug" },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const settings = readRouterSettings({
      NODE_ENV: "test",
      SUPERGRAPH_PATH: path.join(dir, "supergraph.graphql"),
      JWKS_URL: jwks.url.href,
      // answers from the router's response cache would never reach the subgraph at all
      RESPONSE_CACHE_ENABLED: "false",
    });
    router = await createRouter({ settings, logger }).listen(0);
  });
  after(async () => {
    await router?.close();
    await proxy?.close();
    await jwks?.close();
    await catalog?.close();
    await spans?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    proxy.release();
    proxy.seen.length = 0;
    lines.length = 0;
  });

  it("shares one subgraph call among concurrent identical queries, answers each of them, and logs and traces each joiner with its own request id and the id of the call it joined", async () => {
    proxy.holdWhen((body) => body.includes("Shelf"));
    const requestIds = Array.from({ length: 5 }, (_, i) => `shelf-${i}-${randomUUID()}`);
    const answers = requestIds.map((requestId) => ask(SHELF, { requestId }));
    await until(() => joinedLines().length === 4, "four requests join the first one's call");
    assert.equal(proxy.held(), 1, "one call is in flight");
    proxy.release();
    const expected = { data: { products: { edges: ["SHARED-A", "SHARED-B"].map((sku) => ({ node: { sku, name: `Shared ${sku}` } })) } } };
    for (const answer of await Promise.all(answers)) assert.deepEqual(answer, expected);

    assert.equal(proxy.seen.length, 1, "the subgraph saw one call");
    const leader = proxy.seen[0]?.headers["x-request-id"];
    assert.ok(typeof leader === "string" && requestIds.includes(leader), "the shared call carries the first caller's request id");
    assert.deepEqual(
      joinedLines()
        .map((line) => line.requestId)
        .sort(),
      requestIds.filter((id) => id !== leader).sort(),
      "every other caller logs that it joined, under its own request id",
    );
    for (const line of joinedLines()) assert.equal(line.joined, leader);

    const joinedSpans = () => spans.spans().filter((span: ReadableSpan) => span.attributes["subgraph.call.joined_request_id"] === leader);
    await until(() => joinedSpans().length === 4, "each joiner's fetch span names the call it joined");
    assert.ok(joinedSpans().every((span) => span.name === "gateway.fetch"));
  });

  it("never shares a call among different users' tokens: the same query with two tokens and without one reaches the subgraph three times", async () => {
    const alice = await signToken(key, { userId: randomUUID() });
    const bob = await signToken(key, { userId: randomUUID() });
    proxy.holdWhen((body) => body.includes("Shelf"));
    const answers = [ask(SHELF, { token: alice }), ask(SHELF, { token: alice }), ask(SHELF, { token: bob }), ask(SHELF)];
    // Were any of them shared, fewer than three calls would ever arrive and this would time out.
    await until(() => proxy.held() === 3 && joinedLines().length === 1, "three calls held and one joiner");
    proxy.release();
    for (const answer of await Promise.all(answers)) assert.deepEqual(answer.errors, undefined);
    assert.deepEqual(
      proxy.seen.map((call) => call.headers.authorization ?? "anonymous").sort(),
      [`Bearer ${alice}`, `Bearer ${bob}`, "anonymous"].sort(),
    );
  });

  it("never shares a mutation: identical concurrent mutations with one token each reach the subgraph", async () => {
    const admin = await signToken(key, { role: "ADMIN" });
    const rename = `mutation Rename { updateProduct(id: "${productId}", input: { name: "Shared SHARED-B" }) { sku name } }`;
    proxy.holdWhen((body) => body.includes("updateProduct"));
    const answers = [ask(rename, { token: admin }), ask(rename, { token: admin })];
    await until(() => proxy.held() === 2, "both mutations reach the subgraph");
    proxy.release();
    for (const answer of await Promise.all(answers)) {
      assert.deepEqual(answer, { data: { updateProduct: { sku: "SHARED-B", name: "Shared SHARED-B" } } });
    }
    assert.equal(proxy.seen.length, 2);
    assert.equal(joinedLines().length, 0);
  });

  it("never lets a query sent after a mutation was answered join a call that started before it", async () => {
    const admin = await signToken(key, { role: "ADMIN" });
    proxy.holdWhen((body) => body.includes("Shelf"));
    const before = ask(SHELF, { token: admin });
    await until(() => proxy.held() === 1, "the first query is in flight");
    const renamed = await ask(`mutation { updateProduct(id: "${productId}", input: { name: "Renamed" }) { name } }`, { token: admin });
    assert.deepEqual(renamed.errors, undefined);
    const afterwards = ask(SHELF, { token: admin });
    await until(() => proxy.held() === 2, "the query after the mutation makes its own call");
    proxy.release();
    const [first, second] = await Promise.all([before, afterwards]);
    assert.deepEqual(first?.errors, undefined);
    const names = (answer: Answer | undefined) =>
      ((answer?.data?.products as { edges: { node: { name: string } }[] } | undefined)?.edges ?? []).map((edge) => edge.node.name);
    assert.ok(names(second).includes("Renamed"), "the later query sees the mutation");
    assert.equal(joinedLines().length, 0);
    await ask(`mutation { updateProduct(id: "${productId}", input: { name: "Shared SHARED-B" }) { name } }`, { token: admin });
  });

  it("keeps a shared call going when the caller that made it goes away, and answers the callers still waiting", async () => {
    proxy.holdWhen((body) => body.includes("Shelf"));
    const leaving = new AbortController();
    const first = ask(SHELF, { requestId: "leaves-early", signal: leaving.signal }).catch((error: unknown) => error);
    await until(() => proxy.held() === 1, "the first caller's call is in flight");
    const second = ask(SHELF, { requestId: "stays" });
    await until(() => joinedLines().length === 1, "the second caller joins");
    leaving.abort();
    assert.equal(((await first) as Error).name, "AbortError");
    await until(
      () => lines.some((line) => line.requestId === "leaves-early" && line.msg === "subgraph call cancelled: the client went away"),
      "the router notices the first caller left",
    );
    proxy.release();
    const answer = await second;
    assert.deepEqual(answer.errors, undefined, "the call was not cancelled while a caller still waited");
    assert.equal(proxy.seen.length, 1);
  });
});

describe("a shared call's answer", () => {
  it("reaches each caller as an object of its own: the gateway merges later fetches into the one it gets", async () => {
    const sharing = createCallSharing();
    const body = JSON.stringify({ data: { product: { id: "p1", name: "Lamp" } } });
    let release = (_outcome: CallOutcome) => {};
    const send = () => new Promise<CallOutcome>((resolve) => (release = resolve));
    const leader = sharing.share("key", { requestId: "leader" }, send);
    const joiner = sharing.share("key", { requestId: "joiner" }, send);
    release({ kind: "answered", response: JSON.parse(body) as Record<string, unknown>, body, cacheControl: undefined, durationMs: 1 });
    const [made, joined] = await Promise.all([leader, joiner]);
    assert.equal(joined.joined, "leader");
    assert.ok(made.outcome.kind === "answered" && joined.outcome.kind === "answered");
    assert.deepEqual(joined.outcome.response, made.outcome.response);
    (made.outcome.response.data as { product: Record<string, unknown> }).product.price = 10;
    assert.deepEqual(joined.outcome.response, { data: { product: { id: "p1", name: "Lamp" } } }, "the leader's merge is not the joiner's");
  });
});
