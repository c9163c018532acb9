// What the installed dependencies are licensed under, so a licence a user must know of cannot creep in unnoticed:
// every package is permissive, or its licence is one the README's "Licence" section names.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const repoRoot = path.resolve(import.meta.dirname, "..");

/** Licences that ask nothing of this project beyond keeping notices. */
const permissive = new Set([
  "MIT",
  "ISC",
  "Apache-2.0",
  "BSD-2-Clause",
  "BSD-3-Clause",
  "0BSD",
  "BlueOak-1.0.0",
  "Unlicense",
  "CC0-1.0",
  "CC-BY-4.0",
  "Python-2.0",
  "Zlib",
]);

/** Licences the README names, with the packages it names under each; `name-*` stands for a package's platform builds. */
const namedInReadme: Record<string, readonly string[]> = {
  "Elastic-2.0": [
    "@apollo/composition",
    "@apollo/federation-internals",
    "@apollo/gateway",
    "@apollo/query-graphs",
    "@apollo/query-planner",
  ],
  "EPL-2.0": ["elkjs"],
  "MPL-2.0": ["axe-core", "lightningcss", "lightningcss-*"],
};

const names = (license: string, name: string) =>
  (namedInReadme[license] ?? []).some((named) => (named.endsWith("-*") ? name.startsWith(named.slice(0, -1)) : named === name));

interface InstalledPackage {
  readonly name: string;
  readonly license: string;
  readonly where: string;
}

function licenseOf(manifest: { license?: unknown; licenses?: { type?: string }[] }): string {
  if (typeof manifest.license === "string") return manifest.license;
  if (manifest.license && typeof manifest.license === "object" && "type" in manifest.license) return String(manifest.license.type);
  return (manifest.licenses ?? []).map((entry) => entry.type).join(" OR ") || "(none)";
}

/** Every package installed under `dir` (node_modules trees, nested ones included), except the workspaces' own links. */
function installedPackages(dir: string, found: InstalledPackage[] = []): InstalledPackage[] {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.isSymbolicLink() || !entry.isDirectory()) continue;
    const where = path.join(dir, entry.name);
    if (entry.name.startsWith("@")) {
      installedPackages(where, found);
      continue;
    }
    const manifestPath = path.join(where, "package.json");
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
        name?: string;
        license?: unknown;
        licenses?: { type?: string }[];
      };
      found.push({ name: manifest.name ?? entry.name, license: licenseOf(manifest), where: path.relative(repoRoot, where) });
    }
    installedPackages(path.join(where, "node_modules"), found);
  }
  return found;
}

/** An SPDX expression is acceptable when one side of each OR, or every side of an AND, is permissive. */
function isPermissive(expression: string): boolean {
  let bare = expression.trim();
  while (/^\(.*\)$/.test(bare)) bare = bare.slice(1, -1).trim();
  if (/\s+OR\s+/i.test(bare)) return bare.split(/\s+OR\s+/i).some(isPermissive);
  if (/\s+AND\s+/i.test(bare)) return bare.split(/\s+AND\s+/i).every(isPermissive);
  return permissive.has(bare);
}

describe("dependency licences", () => {
  const workspaceTrees = ["packages", "subgraphs", "apps"].flatMap((group) =>
    readdirSync(path.join(repoRoot, group)).map((name) => path.join(repoRoot, group, name, "node_modules")),
  );
  const packages = [repoRoot, path.join(repoRoot, "router"), ...workspaceTrees].flatMap((dir) =>
    installedPackages(dir.endsWith("node_modules") ? dir : path.join(dir, "node_modules")),
  );

  it("finds the installed packages", () => {
    assert.ok(packages.length > 500, `only ${packages.length} packages found: is node_modules installed?`);
  });

  it("are permissive, or named in the README's Licence section", () => {
    const unexpected = packages.filter((pkg) => !isPermissive(pkg.license) && !names(pkg.license, pkg.name));
    assert.deepEqual(
      unexpected.map((pkg) => `${pkg.name} (${pkg.license}) at ${pkg.where}`),
      [],
      "a dependency with a licence the README does not name: name it there (and here), or choose another dependency",
    );
  });

  it("match what the README says about them", () => {
    const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Licence"));
    for (const [license, names] of Object.entries(namedInReadme)) {
      assert.match(section, new RegExp(license.replace(".", "\\.")), `the Licence section names ${license}`);
      for (const name of names) assert.ok(section.includes(`\`${name}\``), `the Licence section names ${name}`);
    }
  });
});
