// The base a schema check compares with: a commit of the repository's history, read with plain git commands.
import { spawnSync } from "node:child_process";

/** A commit to compare with, and how it was chosen (for the report's first line). */
export interface Base {
  readonly commit: string;
  readonly description: string;
  /** The text of a file at the base; null when the base has no such file. */
  readonly read: (path: string) => string | null;
  /** The files at the base directly under a directory (repository-relative paths). */
  readonly list: (directory: string) => string[];
}

/** Why there is nothing to compare with; the check says so and skips the comparison. */
export interface NoBase {
  readonly skipped: string;
}

/** A --base that names no commit: the caller's mistake, not a reason to skip. */
export class UnknownBaseError extends Error {
  constructor(ref: string) {
    super(`--base ${ref} names no commit here (for a pull request's target branch, fetch it first: git fetch origin ${ref})`);
    this.name = "UnknownBaseError";
  }
}

function git(root: string, args: readonly string[]): { ok: boolean; out: string } {
  const result = spawnSync("git", args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
  return { ok: result.status === 0, out: result.stdout ?? "" };
}

const commitOf = (root: string, ref: string): string | null => {
  const { ok, out } = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  return ok ? out.trim() : null;
};

/**
 * Finds the base: the merge base of HEAD with `requested` (default: `main`, else `origin/main`). Without git, a
 * history or the default branch (a tarball, a fresh `git init`) there is none, and the comparison is skipped. In a
 * shallow clone without the merge base, the ref itself is the base.
 */
export function findBase(root: string, requested?: string): Base | NoBase {
  const inside = git(root, ["rev-parse", "--is-inside-work-tree"]);
  if (!inside.ok || inside.out.trim() !== "true") return { skipped: "not a git checkout (no history to compare with)" };
  const head = commitOf(root, "HEAD");
  if (!head) return { skipped: "the repository has no commit yet" };

  const candidates = requested ? [requested] : ["main", "origin/main"];
  let ref: string | undefined;
  let tip: string | null = null;
  for (const candidate of candidates) {
    tip = commitOf(root, candidate);
    if (tip) {
      ref = candidate;
      break;
    }
  }
  if (!ref || !tip) {
    if (requested) throw new UnknownBaseError(requested);
    return { skipped: "no base: neither main nor origin/main exists here (pass --base <ref>)" };
  }
  const mergeBase = git(root, ["merge-base", "HEAD", tip]);
  const commit = mergeBase.ok ? mergeBase.out.trim() : tip;
  const short = commit.slice(0, 12);
  const description =
    commit === head
      ? `${ref} (${short}, which is HEAD: only uncommitted changes can differ)`
      : mergeBase.ok
        ? `the merge base of HEAD and ${ref} (${short})`
        : `${ref} (${short}; no merge base in this shallow history)`;

  return {
    commit,
    description,
    read(path) {
      const { ok, out } = git(root, ["show", `${commit}:${path}`]);
      return ok ? out : null;
    },
    list(directory) {
      const { ok, out } = git(root, ["ls-tree", "--name-only", `${commit}:${directory}`]);
      return ok
        ? out
            .split("\n")
            .filter(Boolean)
            .map((name) => `${directory.replace(/\/$/, "")}/${name}`)
        : [];
    },
  };
}
