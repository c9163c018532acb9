// The shop as it runs in production (NODE_ENV=production), six subgraph processes and the router: what a client may
// see of failures and mistakes, what the processes talk to, and how they drain on SIGTERM. The test runner's
// NODE_ENV=test would hide all of this (Apollo installs signal handlers and serves Sandbox by NODE_ENV).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { demoUsers } from "@storefront/demo-data";
import { type SupergraphProcesses, startSupergraphProcesses } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import pg from "pg";
import { aCustomerWithCart, aNewCustomer, aStockedProduct, type ShopSession, signIn } from "./support/shop.ts";

const auditPreload = fileURLToPath(new URL("../../packages/testkit/src/connection-audit.ts", import.meta.url));

interface Attempt {
  readonly script: string;
  readonly host: string;
  readonly port: number | null;
  readonly refused: boolean;
}

/** POSTs a raw body to the router, as any HTTP client may. */
async function postRaw(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] },
  };
}

const exited = (child: ReturnType<SupergraphProcesses["child"]>) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });

describe("the shop in production mode", { timeout: 300_000 }, () => {
  let stack: SupergraphProcesses;
  let auditDir: string;
  let admin: ShopSession;

  before(async () => {
    auditDir = mkdtempSync(path.join(tmpdir(), "connection-audit-"));
    stack = await startSupergraphProcesses({
      subgraphs: ["users", "catalog", "inventory", "cart", "orders", "payments"],
      env: {
        NODE_ENV: "production",
        // the demo accounts drive these tests; a real production deployment never seeds them
        SEED_DEMO_IN_PRODUCTION: "true",
        // The test runner switches Apollo's telemetry off for every process; here the product's own default must.
        APOLLO_TELEMETRY_DISABLED: undefined,
        CONNECTION_AUDIT_FILE: path.join(auditDir, "attempts.jsonl"),
        NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import=${auditPreload}`].filter(Boolean).join(" "),
        // long enough to see readiness turn 503 while the process still serves
        SHUTDOWN_DELAY_MS: "1500",
        // the drain test holds requests on a frozen catalog until the router refuses new connections (2-3 s, longer
        // on a busy machine): they must still be waiting for their answers then, not timed out
        SUBGRAPH_TIMEOUT_MS: "20000",
        ...(process.env.KAFKA_BROKERS ? { KAFKA_NAMESPACE: `production-${randomUUID().slice(0, 8)}` } : {}),
      },
    });
    const demoAdmin = demoUsers.find((user) => user.role === "ADMIN");
    assert.ok(demoAdmin);
    admin = await signIn(stack.routerUrl, demoAdmin.email, demoPasswords[demoAdmin.email] ?? "");
  });
  after(async () => {
    await stack?.stop();
    rmSync(auditDir, { recursive: true, force: true });
  });

  it("serves Apollo's production landing page, not Sandbox, and refuses introspection", async () => {
    const page = await fetch(stack.routerUrl, { headers: { accept: "text/html" } });
    assert.equal(page.status, 200);
    const html = await page.text();
    const config = JSON.parse(decodeURIComponent(/window\.landingPage = "([^"]+)"/.exec(html)?.[1] ?? "%7B%7D")) as Record<string, unknown>;
    assert.equal(config.isProd, true, "the production landing page, with no embedded Sandbox");
    assert.equal(config.embed, undefined);
    const { status, body } = await postRaw(stack.routerUrl, JSON.stringify({ query: "{ __schema { queryType { name } } }" }));
    assert.equal(status, 400);
    assert.equal(body.errors?.[0]?.extensions?.code, "GRAPHQL_VALIDATION_FAILED");
    assert.match(body.errors?.[0]?.message ?? "", /introspection/i);
  });

  it("answers a repeated anonymous query from its response cache, the same bytes with an Age; never the landing page nor a refusal", async () => {
    // the cache serves once the router follows the catalog's events (on Kafka: once its consumer group has joined)
    const body = JSON.stringify({ query: "query Ping { __typename }" });
    const deadline = Date.now() + 30_000;
    let first: Response | undefined;
    let again: Response | undefined;
    while (Date.now() < deadline) {
      first = await fetch(stack.routerUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
      again = await fetch(stack.routerUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (again.headers.get("age") !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(first && again);
    assert.match(again.headers.get("age") ?? "", /^[0-9]+$/, "the second answer comes from the cache");
    assert.equal(again.headers.get("cache-control"), "public, max-age=60");
    assert.equal(await again.text(), await first.text());

    for (let i = 0; i < 2; i++) {
      const page = await fetch(stack.routerUrl, { headers: { accept: "text/html" } });
      assert.equal(page.headers.get("age"), null, "the landing page is never kept");
      assert.match(await page.text(), /window\.landingPage/);
      const refused = await fetch(stack.routerUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __schema { queryType { name } } }" }),
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.headers.get("age"), null, "a refusal is never kept");
      assert.equal(refused.headers.get("cache-control"), "private, no-store");
    }
  });

  it("answers one operation as each viewer may see it: anonymous, customer, admin, then anonymous again", async () => {
    const query = "query UserCount { users(first: 1) { totalCount } }";
    const customer = await aNewCustomer(stack.routerUrl, "viewer");
    const codes = (errors: { extensions?: Record<string, unknown> }[] | undefined) => errors?.map((error) => error.extensions?.code);
    const anonymous = await postRaw(stack.routerUrl, JSON.stringify({ query }));
    assert.deepEqual(codes(anonymous.body.errors), ["UNAUTHENTICATED"]);
    assert.deepEqual(codes((await customer.call(query)).body.errors), ["FORBIDDEN"]);
    const asAdmin = await admin.call<{ users: { totalCount: number } }>(query);
    assert.deepEqual(asAdmin.body.errors, undefined);
    assert.ok((asAdmin.body.data?.users.totalCount ?? 0) >= 2, "the admin sees the users");
    const anonymousAgain = await postRaw(stack.routerUrl, JSON.stringify({ query }));
    assert.deepEqual(codes(anonymousAgain.body.errors), ["UNAUTHENTICATED"]);
    assert.equal(anonymousAgain.body.data ?? null, null);
  });

  it("answers client mistakes with 400-level codes, never 500", async () => {
    const cases: [string, string, number, string][] = [
      [
        "unknown operation name",
        JSON.stringify({ query: "query A { __typename }", operationName: "B" }),
        400,
        "OPERATION_RESOLUTION_FAILURE",
      ],
      [
        "two named operations, no name",
        JSON.stringify({ query: "query A { __typename } query B { __typename }" }),
        400,
        "OPERATION_RESOLUTION_FAILURE",
      ],
      ["two unnamed operations", JSON.stringify({ query: "{ __typename } { __typename }" }), 400, "GRAPHQL_VALIDATION_FAILED"],
      [
        "a NUL byte in a literal",
        JSON.stringify({ query: '{ products(filter: { search: "a\u0000b" }) { totalCount } }' }),
        400,
        "BAD_USER_INPUT",
      ],
      [
        "a NUL byte in a variable",
        JSON.stringify({ query: "query($s: String) { products(filter: { search: $s }) { totalCount } }", variables: { s: "a\u0000" } }),
        400,
        "BAD_USER_INPUT",
      ],
      [
        "a lone surrogate",
        `{"query":"query($s: String) { products(filter: { search: $s }) { totalCount } }","variables":{"s":"\\ud800"}}`,
        400,
        "BAD_USER_INPUT",
      ],
      ["a body that is not JSON", "{ nope", 400, "BAD_REQUEST"],
      ["a query that is not a string", JSON.stringify({ query: 42 }), 400, "BAD_REQUEST"],
      ["syntax error", JSON.stringify({ query: "{ products(" }), 400, "GRAPHQL_PARSE_FAILED"],
    ];
    for (const [what, raw, status, code] of cases) {
      const answer = await postRaw(stack.routerUrl, raw);
      assert.equal(answer.status, status, `${what}: ${answer.text}`);
      assert.equal(answer.body.errors?.[0]?.extensions?.code, code, what);
      assert.doesNotMatch(answer.text, /stacktrace|at .+\.(ts|js):\d+/, `${what}: no stack trace`);
    }
  });

  it("refuses invalid text at a subgraph too, in case something reaches it without the router", async () => {
    const catalog = stack.subgraphUrls.catalog;
    assert.ok(catalog);
    const answer = await postRaw(catalog, JSON.stringify({ query: '{ products(filter: { search: "\u0000" }) { totalCount } }' }));
    assert.equal(answer.status, 400);
    assert.equal(answer.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
  });

  it("gives no field suggestions that would map the schema", async () => {
    const answer = await postRaw(stack.routerUrl, JSON.stringify({ query: "{ productz { id } }" }));
    assert.equal(answer.status, 400);
    assert.equal(answer.body.errors?.[0]?.extensions?.code, "GRAPHQL_VALIDATION_FAILED");
    assert.match(answer.body.errors?.[0]?.message ?? "", /Cannot query field "productz"/);
    assert.doesNotMatch(answer.text, /Did you mean/);
    const enumValue = await postRaw(
      stack.routerUrl,
      JSON.stringify({
        query: "mutation($input: AdjustStockInput!) { adjustStock(input: $input) { product { id } } }",
        variables: { input: { productId: randomUUID(), delta: 1, reason: "RECIEVED" } },
      }),
    );
    assert.equal(enumValue.body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
    assert.doesNotMatch(enumValue.text, /Did you mean|RECEIVED/, "no enum values suggested either");
  });

  it("masks an unexpected failure: no stack trace, file path, SQL or Prisma text reaches the client", {
    skip: process.env.TEST_POSTGRES_URL ? false : "breaks a subgraph's tables from outside, which needs PostgreSQL (TEST_POSTGRES_URL)",
  }, async () => {
    const databaseUrl = stack.databaseUrls.catalog;
    assert.ok(databaseUrl);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await db.query("ALTER TABLE category RENAME TO category_gone");
      const answer = await postRaw(stack.routerUrl, JSON.stringify({ query: "{ categories { name } }" }));
      assert.equal(answer.body.errors?.[0]?.extensions?.code, "INTERNAL_SERVER_ERROR", answer.text);
      assert.equal(answer.body.errors?.[0]?.message, "Internal server error.");
      assert.doesNotMatch(answer.text, /category_gone|relation|prisma|SELECT|stacktrace|\/work\/|\.ts:\d+|node_modules/i);
    } finally {
      await db.query("ALTER TABLE category_gone RENAME TO category");
      await db.end();
    }
  });

  it("opens connections only to its own services: the router to the subgraphs and the JWKS, nothing to Apollo or cloud metadata", async () => {
    // Traffic that exercises every subgraph and the token path.
    const product = await aStockedProduct(admin, 5);
    const customer = await aCustomerWithCart(stack.routerUrl, product.id, 1);
    assert.deepEqual((await customer.checkout()).body.errors, undefined);
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const attempts = readFileSync(path.join(auditDir, "attempts.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Attempt);
    assert.deepEqual(
      attempts.filter((attempt) => attempt.refused),
      [],
      "no process tried to reach beyond the machine",
    );
    const subgraphPorts = new Set(Object.values(stack.subgraphUrls).map((url) => Number(new URL(url).port)));
    // with KAFKA_BROKERS the router follows catalog and inventory events there (its response cache)
    const brokerPorts = new Set(
      (process.env.KAFKA_BROKERS ?? "")
        .split(",")
        .filter(Boolean)
        .map((broker) => Number(broker.split(":").at(-1))),
    );
    const fromRouter = attempts.filter((attempt) => attempt.script.endsWith(path.join("router", "src", "main.ts")));
    assert.ok(fromRouter.length > 0, "the router's connections were recorded");
    for (const attempt of fromRouter) {
      assert.ok(
        attempt.host === "127.0.0.1" && attempt.port !== null && (subgraphPorts.has(attempt.port) || brokerPorts.has(attempt.port)),
        `the router connected only to subgraphs (and the users subgraph's JWKS) and Kafka, not ${attempt.host}:${attempt.port}`,
      );
    }
  });

  it("drains a subgraph on SIGTERM: a checkout in flight completes, then orders exits 0", async () => {
    const product = await aStockedProduct(admin, 3);
    const customer = await aCustomerWithCart(stack.routerUrl, product.id, 1);
    const inventory = stack.child("inventory");
    const orders = stack.child("orders");
    // A frozen inventory holds the checkout inside orders (it reserves stock there first).
    inventory.kill("SIGSTOP");
    const checkout = customer.checkout();
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      orders.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      inventory.kill("SIGCONT");
    }
    const answer = await checkout;
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.errors, undefined);
    assert.equal(answer.body.data?.checkout.status, "PENDING_PAYMENT");
    assert.deepEqual(await exited(orders), { code: 0, signal: null });
  });

  it("drains the router on SIGTERM: readiness turns 503, requests in flight finish, new connections are refused, exit 0", async () => {
    const router = stack.child("router");
    const catalog = stack.child("catalog");
    const base = stack.routerUrl.replace(/\/graphql$/, "");
    // Each request on its own connection, held in flight by a frozen catalog.
    const agent = new http.Agent({ keepAlive: false });
    const inFlight = (i: number) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request(
          stack.routerUrl,
          { method: "POST", agent, headers: { "content-type": "application/json" } },
          (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => {
              body += chunk;
            });
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        request.on("error", reject);
        request.end(JSON.stringify({ query: `query Listing${i} { products(first: 3) { edges { node { name } } } }` }));
      });
    catalog.kill("SIGSTOP");
    let requests: Promise<{ status: number; body: string }>[] = [];
    try {
      requests = Array.from({ length: 8 }, (_, i) => inFlight(i));
      await new Promise((resolve) => setTimeout(resolve, 300));
      router.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 200));
      const ready = await fetch(`${base}/ready`);
      assert.equal(ready.status, 503, "readiness turns 503 at once");
      assert.equal(((await ready.json()) as { status: string }).status, "draining");
      // After the delay the listener closes: a new connection is refused.
      const deadline = Date.now() + 10_000;
      let refused = false;
      while (!refused && Date.now() < deadline) {
        refused = await fetch(`${base}/health`).then(
          () => false,
          () => true,
        );
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(refused, "new connections are refused once draining");
    } finally {
      catalog.kill("SIGCONT");
    }
    const answers = await Promise.all(requests);
    for (const answer of answers) {
      assert.equal(answer.status, 200, answer.body);
      assert.equal((JSON.parse(answer.body) as { errors?: unknown }).errors, undefined, answer.body);
    }
    assert.deepEqual(await exited(router), { code: 0, signal: null });
  });
});
