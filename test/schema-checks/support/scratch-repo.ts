// A scratch git repository under the system's temp directory holding what the schema check reads (the subgraphs' SDL,
// the composed supergraph, the event schemas), with `main` committed, so tests can make real changes on a branch and
// run `npm run schema:check` on them as a developer or CI would.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { composeSupergraph, sdlFile, supergraphFile } from "../../../scripts/compose.ts";
import { runSchemaCheck } from "../../../scripts/schema-checks/run.ts";
import { subgraphNames } from "../../../scripts/subgraphs.ts";

export const repoRoot = path.resolve(import.meta.dirname, "../../..");

const gitIdentity = {
  GIT_AUTHOR_NAME: "Schema Check Test",
  GIT_AUTHOR_EMAIL: "schema-check@example.com",
  GIT_COMMITTER_NAME: "Schema Check Test",
  GIT_COMMITTER_EMAIL: "schema-check@example.com",
};

function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...gitIdentity, ...env } });
  return { code: result.status ?? 1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** A file as committed in this repository (stable while others edit the working tree), else as it is on disk. */
function committed(file: string): string {
  const shown = run("git", ["show", `HEAD:${file}`], repoRoot);
  return shown.code === 0 ? shown.output : readFileSync(path.join(repoRoot, file), "utf8");
}

export interface CheckRun {
  readonly code: number;
  readonly output: string;
}

/** `npm run schema:check -- <args>` on the checkout at `dir`, as its own process. */
export function schemaCheckCommand(dir: string, ...args: string[]): CheckRun {
  return run(process.execPath, [path.join(repoRoot, "scripts/schema-check.ts"), "--root", dir, ...args], repoRoot, {
    APOLLO_TELEMETRY_DISABLED: "true",
  });
}

/** The same check in this process (the command's exit code and output, without starting Node again). */
export async function schemaCheckAt(dir: string, base?: string): Promise<CheckRun> {
  const lines: string[] = [];
  const collect = (...parts: unknown[]) => lines.push(parts.join(" "));
  const passed = await runSchemaCheck({ root: dir, ...(base ? { base } : {}) }, { log: collect, warn: collect, error: collect });
  return { code: passed ? 0 : 1, output: `${lines.join("\n")}\n` };
}

export function createScratchRepo() {
  const dir = mkdtempSync(path.join(tmpdir(), "storefront-schema-check-"));
  const git = (...args: string[]) => {
    const result = run("git", args, dir);
    if (result.code !== 0) throw new Error(`git ${args.join(" ")}: ${result.output}`);
    return result.output.trim();
  };
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  const read = (file: string) => readFileSync(path.join(dir, file), "utf8");

  const repo = {
    dir,
    git,
    read,
    write,
    /** Changes a file with `change`, which must change it (a test that edits nothing proves nothing). */
    edit(file: string, change: (text: string) => string) {
      const before = read(file);
      const after = change(before);
      if (after === before) throw new Error(`the edit left ${file} unchanged`);
      write(file, after);
    },
    /** `npm run compose` in the scratch repository. */
    compose() {
      const composition = composeSupergraph(dir);
      if (!composition.ok) throw new Error(`composition failed: ${composition.errors.join("; ")}`);
      write(supergraphFile, composition.supergraph);
    },
    /** Commits everything on the current branch. */
    commit(message: string) {
      git("add", "-A");
      git("commit", "-q", "-m", message);
    },
    /** A new branch `name` from main, with a clean working tree. */
    branch(name: string) {
      git("checkout", "-q", "-f", "-B", name, "main");
      git("clean", "-fdq");
    },
    /** `npm run schema:check -- <args>` on the scratch repository. */
    check: (base?: string): Promise<CheckRun> => schemaCheckAt(dir, base),
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };

  for (const name of subgraphNames) write(sdlFile(name), committed(sdlFile(name)));
  const events = "packages/events/schemas";
  for (const file of run("git", ["ls-tree", "--name-only", "HEAD", `${events}/`], repoRoot)
    .output.split("\n")
    .filter(Boolean)) {
    write(file, committed(file));
  }
  if (!existsSync(path.join(dir, events))) cpSync(path.join(repoRoot, events), path.join(dir, events), { recursive: true });
  repo.compose();
  git("init", "-q", "-b", "main");
  repo.commit("main as the base");
  return repo;
}

export type ScratchRepo = ReturnType<typeof createScratchRepo>;
