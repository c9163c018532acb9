// Writes the JSON Schema of every event type to schemas/<type>.json for consumers outside this repository.
// Deterministic (same catalogue, same bytes). `--check` writes nothing and exits 1 when the files are stale.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { eventJsonSchemas } from "../src/index.ts";

const directory = new URL("../schemas/", import.meta.url);
const check = process.argv.includes("--check");

const wanted = new Map(Object.entries(eventJsonSchemas()).map(([type, schema]) => [`${type}.json`, `${formatJson(schema)}\n`]));
const present = existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith(".json")) : [];
const stale = [
  ...[...wanted]
    .filter(([name, text]) => !present.includes(name) || readFileSync(new URL(name, directory), "utf8") !== text)
    .map(([name]) => name),
  ...present.filter((name) => !wanted.has(name)),
];

if (check) {
  if (stale.length > 0) {
    console.error(`event schemas are stale (${stale.join(", ")}); run: node packages/events/scripts/export-schemas.ts`);
    process.exit(1);
  }
  console.log(`event schemas up to date (${wanted.size})`);
} else {
  mkdirSync(directory, { recursive: true });
  for (const name of present) if (!wanted.has(name)) rmSync(new URL(name, directory));
  for (const [name, text] of wanted) writeFileSync(new URL(name, directory), text);
  console.log(`wrote ${wanted.size} event schemas to ${directory.pathname}${stale.length > 0 ? ` (changed: ${stale.join(", ")})` : ""}`);
}

/** JSON.stringify with 2 spaces, laid out as the repository's formatter (Biome, 140 columns) would: short lists of scalars on one line. */
function formatJson(value: unknown, indent = "", prefix = ""): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const scalars = value.every((item) => item === null || typeof item !== "object");
    const inline = `[${value.map((item) => JSON.stringify(item)).join(", ")}]`;
    if (scalars && indent.length + prefix.length + inline.length + 1 <= 140) return inline;
    const inner = `${indent}  `;
    return `[\n${value.map((item) => `${inner}${formatJson(item, inner)}`).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    const lines = entries.map(([key, item]) => {
      const label = `${JSON.stringify(key)}: `;
      return `${inner}${label}${formatJson(item, inner, label)}`;
    });
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}
