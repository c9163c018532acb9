// The README's examples, run in order against `npm start`'s shop the way its reader runs them in Sandbox: each
// ```graphql block is one operation, the ```json block under it its variables; "<path from Operation>" takes a value
// from an earlier answer, "<a new unique key>" and "<a new e-mail address>" are made up fresh, and an answer holding
// an accessToken becomes the Authorization header of the operations after it. So a README example that stops
// working, or stops passing the router's limits, fails CI.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { readRouterSettings } from "@storefront/router";
import { silentLogger, subgraphNames } from "@storefront/service";
import { freePort, graphqlRequest } from "@storefront/testkit";
import { type EmbeddedShop, startEmbeddedShop } from "../../scripts/embedded.ts";
import { readmeExamples } from "../../scripts/readme-examples.ts";

const readmePath = path.resolve(import.meta.dirname, "../../README.md");

function valueAt(data: unknown, dottedPath: string): unknown {
  let value = data;
  for (const key of dottedPath.split(".")) {
    value = value === null || typeof value !== "object" ? undefined : (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Fills the placeholders of a variables block from the answers so far. */
function resolvePlaceholders(value: unknown, answers: ReadonlyMap<string, unknown>, where: string): unknown {
  if (typeof value === "string") {
    const placeholder = /^<(.+)>$/.exec(value)?.[1];
    if (!placeholder) return value;
    if (placeholder === "a new unique key") return randomUUID();
    if (placeholder === "a new e-mail address") return `reader-${randomUUID()}@example.com`;
    const reference = /^([\w.]+) from (\w+)$/.exec(placeholder);
    assert.ok(reference, `${where}: a placeholder the reader cannot follow: ${value}`);
    const [, dottedPath = "", operation = ""] = reference;
    assert.ok(answers.has(operation), `${where}: ${value} refers to ${operation}, which does not come before it`);
    const found = valueAt(answers.get(operation), dottedPath);
    assert.ok(found !== undefined && found !== null, `${where}: ${operation}'s answer has no ${dottedPath}`);
    return found;
  }
  if (Array.isArray(value)) return value.map((item) => resolvePlaceholders(item, answers, where));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolvePlaceholders(item, answers, where)]));
  return value;
}

/** The accessToken of an answer (register, login…), if it has one. */
function accessTokenIn(data: unknown): string | undefined {
  if (data === null || typeof data !== "object") return undefined;
  for (const field of Object.values(data)) {
    const token = valueAt(field, "accessToken");
    if (typeof token === "string") return token;
  }
  return undefined;
}

describe("the README's examples, run as written against the embedded shop", { timeout: 240_000 }, () => {
  let shop: EmbeddedShop;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "storefront-readme-"));
    const subgraphPorts = Object.fromEntries(await Promise.all(subgraphNames.map(async (name) => [name, await freePort()] as const)));
    const router = readRouterSettings({ NODE_ENV: "test", PORT: String(await freePort()) });
    shop = await startEmbeddedShop({ dataDir, logger: silentLogger(), router, subgraphPorts });
  });
  after(async () => {
    await shop?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("finds the journey's examples", () => {
    const names = readmeExamples(readFileSync(readmePath, "utf8")).map((example) => example.name);
    for (const step of ["Browse", "Register", "Checkout", "PayDeclined", "CancelOrder", "Pay", "Order", "Ship", "Deliver", "Refund"]) {
      assert.ok(names.includes(step), `the README shows ${step}`);
    }
  });

  it("answers every example without errors, in order", async () => {
    const answers = new Map<string, unknown>();
    let token: string | undefined;
    for (const example of readmeExamples(readFileSync(readmePath, "utf8"))) {
      const where = `README.md:${example.line} (${example.name})`;
      const variables = resolvePlaceholders(example.variables, answers, where) as Record<string, unknown> | undefined;
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      // Events travel between subgraphs: payments hears of a new order, orders of a capture, a moment later.
      // The README says so; like its reader, the test tries again for a few seconds on NOT_FOUND or CONFLICT.
      const deadline = Date.now() + 10_000;
      let answer = await graphqlRequest(shop.routerUrl, example.query, variables, headers);
      while (
        answer.body.errors?.some((error) => ["NOT_FOUND", "CONFLICT"].includes(String(error.extensions?.code))) &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        answer = await graphqlRequest(shop.routerUrl, example.query, variables, headers);
      }
      assert.equal(answer.status, 200, `${where}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
      assert.deepEqual(answer.body.errors, undefined, where);
      assert.ok(answer.body.data, where);
      answers.set(example.name, answer.body.data);
      token = accessTokenIn(answer.body.data) ?? token;
    }
    assert.equal(valueAt(answers.get("PayDeclined"), "payOrder.failure.code"), "PAYMENT_DECLINED");
    assert.equal(valueAt(answers.get("CancelOrder"), "cancelOrder.status"), "CANCELLED");
    assert.equal(valueAt(answers.get("Deliver"), "markDelivered.status"), "DELIVERED");
  });
});
