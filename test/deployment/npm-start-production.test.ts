// `NODE_ENV=production npm start`: the one-process shop is production too, started and stopped as a user does it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { subgraphNames } from "@storefront/service";
import { freePort } from "@storefront/testkit";

const repoRoot = path.resolve(import.meta.dirname, "../..");

describe("NODE_ENV=production npm start", { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "storefront-npm-start-production-"));
  let url: string;
  let output = "";
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let child: ReturnType<typeof spawn>;

  before(async () => {
    const port = await freePort();
    const ports = Object.fromEntries(
      await Promise.all(subgraphNames.map(async (name) => [`${name.toUpperCase()}_PORT`, String(await freePort())])),
    );
    child = spawn(process.execPath, [path.join(repoRoot, "scripts/start.ts")], {
      cwd: repoRoot,
      env: {
        ...process.env,
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
        STOREFRONT_DATA_DIR: dataDir,
        PORT: String(port),
        // The web app too, when it has been built: on a free port, not 3000.
        WEB_PORT: String(await freePort()),
        ...ports,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 150_000;
    while (!output.includes("Press Ctrl-C to stop.")) {
      if (child.exitCode !== null) assert.fail(`npm start exited with ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) assert.fail(`npm start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    url = `http://127.0.0.1:${port}/graphql`;
  });
  after(() => {
    if (child?.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("says what it serves without promising Sandbox or GraphiQL", () => {
    assert.match(output, /GraphQL endpoint: http:\/\/127\.0\.0\.1:\d+\/graphql/);
    assert.doesNotMatch(output, /Sandbox|GraphiQL/);
  });

  it("serves the production landing page, no introspection, no offline IDE and no demo accounts", async () => {
    const page = await (await fetch(url, { headers: { accept: "text/html" } })).text();
    assert.match(page, /isProd%22%3Atrue/);
    const introspection = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __schema { queryType { name } } }" }),
    });
    assert.equal(introspection.status, 400);
    assert.equal((await fetch(url.replace(/\/graphql$/, "/graphiql"))).status, 404);
    const login = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: 'mutation { login(input: { email: "admin@storefront.dev", password: "storefront-admin-demo" }) { accessToken } }',
      }),
    });
    const body = (await login.json()) as { errors?: { extensions?: { code?: string } }[] };
    assert.equal(body.errors?.[0]?.extensions?.code, "UNAUTHENTICATED", "the demo admin does not exist in production");
  });

  it("stops on SIGTERM with exit code 0", async () => {
    child.kill("SIGTERM");
    assert.deepEqual(await exited, { code: 0, signal: null });
  });
});
