// `npm start` serves the storefront web app too: its production build (built first when stale), configured with the
// router's URL, from an origin the router's CORS allows. The app itself is driven in a browser by test/e2e/web-app.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { subgraphNames } from "@storefront/service";
import { freePort } from "@storefront/testkit";

const repoRoot = path.resolve(import.meta.dirname, "../..");

describe("npm start serves the web app", { timeout: 240_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "storefront-npm-start-web-"));
  let routerUrl: string;
  let webPort: number;
  let output = "";
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let child: ReturnType<typeof spawn>;

  before(async () => {
    const port = await freePort();
    webPort = await freePort();
    const ports = Object.fromEntries(
      await Promise.all(subgraphNames.map(async (name) => [`${name.toUpperCase()}_PORT`, String(await freePort())])),
    );
    child = spawn(process.execPath, [path.join(repoRoot, "scripts/start.ts")], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: "warn", STOREFRONT_DATA_DIR: dataDir, PORT: String(port), WEB_PORT: String(webPort), ...ports },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 210_000;
    while (!output.includes("Press Ctrl-C to stop.")) {
      if (child.exitCode !== null) assert.fail(`npm start exited with ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) assert.fail(`npm start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    routerUrl = `http://127.0.0.1:${port}/graphql`;
  });
  after(() => {
    if (child?.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints the app's URL and serves the app there, configured with the router's URL", async () => {
    const webUrl = `http://127.0.0.1:${webPort}/`;
    assert.ok(output.includes(`Storefront web app: ${webUrl}`), output);
    const page = await fetch(webUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root"><\/div>/);
    assert.deepEqual(await (await fetch(`${webUrl}config.json`)).json(), { graphqlUrl: routerUrl, persistedDocuments: false });
  });

  it("lets the app's origin call the router from a browser (CORS), with its WEB_PORT not among the default origins", async () => {
    const origin = `http://127.0.0.1:${webPort}`;
    const preflight = await fetch(routerUrl, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type, authorization" },
    });
    assert.ok(preflight.status < 300, `preflight answered ${preflight.status}`);
    assert.equal(preflight.headers.get("access-control-allow-origin"), origin);
    const stranger = await fetch(routerUrl, {
      method: "OPTIONS",
      headers: { origin: "http://127.0.0.1:1", "access-control-request-method": "POST" },
    });
    assert.notEqual(stranger.headers.get("access-control-allow-origin"), "http://127.0.0.1:1");
  });

  it("stops the app with the shop on SIGTERM", async () => {
    child.kill("SIGTERM");
    assert.deepEqual(await exited, { code: 0, signal: null });
    await assert.rejects(fetch(`http://127.0.0.1:${webPort}/`));
  });
});
