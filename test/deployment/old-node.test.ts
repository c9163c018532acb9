// What a machine with an older Node (Debian's Node 20, say) gets from the README's commands: npm install refuses at
// once (engine-strict), and npm start / npm test print one line saying what to install, not a stack trace.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const repoRoot = path.resolve(import.meta.dirname, "../..");

/** A Node older than 24 on this machine, with the npm that came with it; null when there is none. */
function olderNode(): { bin: string; npmCli: string; version: string } | null {
  for (const node of ["/usr/bin/node", "/usr/local/bin/node"]) {
    if (!existsSync(node)) continue;
    const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
    const npmCli = path.resolve(path.dirname(node), "../lib/node_modules/npm/bin/npm-cli.js");
    if (Number(/^v(\d+)/.exec(version)?.[1] ?? 99) < 24 && existsSync(npmCli)) return { bin: node, npmCli, version };
  }
  return null;
}

const older = olderNode();

/** Runs `npm <args>` in the repository with the older Node alone on PATH. */
function npmWithOlderNode(args: string[]) {
  assert.ok(older);
  const result = spawnSync(older.bin, [older.npmCli, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, PATH: `${path.dirname(older.bin)}:/bin`, npm_config_update_notifier: "false" },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the README's commands with a Node older than 24", { skip: older ? false : "no Node older than 24 on this machine" }, () => {
  it("npm install refuses at once with EBADENGINE, naming the Node it needs", () => {
    // --dry-run: were the refusal gone, this test must still not install anything with the older Node
    const { status, output } = npmWithOlderNode(["install", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"]);
    assert.notEqual(status, 0, output);
    assert.match(output, /EBADENGINE/);
    assert.match(output, /Required: \{"node":">=24\.0\.0"\}/);
  });

  for (const command of ["start", "test"]) {
    it(`npm ${command} prints one line saying which Node to install, and exits 1`, () => {
      const { status, output } = npmWithOlderNode([command]);
      assert.equal(status, 1, output);
      const said = output.split("\n").filter((line) => line.startsWith("Storefront needs"));
      assert.deepEqual(said, [
        `Storefront needs Node.js 24 LTS or newer; this is Node ${older?.version.slice(1)}. Install Node 24 (see .nvmrc) and run npm install again.`,
      ]);
      assert.doesNotMatch(output, /ERR_UNKNOWN_FILE_EXTENSION|at .*\(node:/, "no stack trace");
    });
  }
});
