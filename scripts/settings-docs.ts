// npm run settings:docs     writes the settings tables into the READMEs from the zod shapes every process reads,
//                           and the error codes table from the registry in @storefront/errors
// npm run settings:check    fails when a table is stale
// Each process reads its settings once through one zod shape whose `describe()` texts are the documentation, so a
// setting cannot exist without a line here, and a changed default cannot leave the table behind.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { listErrorCodes } from "@storefront/errors";
import { inventorySettingsShape } from "@storefront/inventory";
import { ordersSettingsShape } from "@storefront/orders";
import { paymentsSettingsShape } from "@storefront/payments";
import { routerSettingsShape } from "@storefront/router";
import { subgraphSettingsShape } from "@storefront/runtime";
import { usersSettingsShape } from "@storefront/users";
import type { z } from "zod";
import { embeddedSettingsShape } from "./embedded-settings.ts";
import { repoRoot } from "./subgraphs.ts";

type Shape = Record<string, z.ZodType>;

interface Table {
  /** README that holds the table, between `<!-- settings:<id> -->` and `<!-- /settings:<id> -->`. */
  readonly file: string;
  readonly id: string;
  readonly shape?: Shape;
  /** A table that is not made of settings. */
  readonly markdown?: () => string;
  /** Settings documented in another table of the same README. */
  readonly omit?: readonly string[];
  /** What the default column says where the default differs per process. */
  readonly defaults?: Readonly<Record<string, string>>;
}

const tables: readonly Table[] = [
  { file: "router/README.md", id: "router", shape: routerSettingsShape },
  { file: "README.md", id: "npm-start", shape: embeddedSettingsShape },
  {
    file: "README.md",
    id: "subgraphs",
    shape: subgraphSettingsShape("<subgraph>", 0),
    defaults: {
      PORT: "users `4001`, catalog `4002`, inventory `4003`, cart `4004`, orders `4005`, payments `4006`",
      KAFKA_CLIENT_ID: "`storefront-<subgraph>`",
    },
  },
  { file: "README.md", id: "users", shape: usersSettingsShape },
  { file: "README.md", id: "inventory", shape: inventorySettingsShape },
  { file: "README.md", id: "orders", shape: ordersSettingsShape },
  { file: "README.md", id: "payments", shape: paymentsSettingsShape },
  {
    file: "README.md",
    id: "error-codes",
    markdown: () =>
      [
        "| code | meaning |",
        "| --- | --- |",
        ...listErrorCodes().map(({ code, description }) => `| \`${code}\` | ${cell(description)} |`),
      ].join("\n"),
  },
];

function defaultOf(schema: z.ZodType): string {
  const parsed = schema.safeParse(undefined);
  if (!parsed.success) return "required";
  const value: unknown = parsed.data;
  if (value === undefined) return "—";
  if (Array.isArray(value)) return value.length === 0 ? "—" : `\`${value.join(",")}\``;
  if (typeof value === "object" && value !== null) return Object.keys(value).length === 0 ? "—" : `\`${JSON.stringify(value)}\``;
  if (typeof value === "string" && value.startsWith(repoRoot)) return `\`${path.relative(repoRoot, value)}\``;
  if (value === "") return '`""`';
  return `\`${String(value)}\``;
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function render(table: Table): string {
  if (table.markdown) return table.markdown();
  const rows = Object.entries(table.shape ?? {})
    .filter(([name]) => !table.omit?.includes(name))
    .map(([name, schema]) => {
      if (!schema.description) throw new Error(`${table.id}: setting ${name} has no describe() text`);
      return `| \`${name}\` | ${cell(table.defaults?.[name] ?? defaultOf(schema))} | ${cell(schema.description)} |`;
    });
  return ["| setting | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

/** The README as `npm run lint` wants it (Biome aligns Markdown tables), so generating and linting agree. */
function formatted(file: string, text: string): string {
  const biome = spawnSync(path.join(repoRoot, "node_modules", ".bin", "biome"), ["format", `--stdin-file-path=${file}`], {
    input: text,
    encoding: "utf8",
  });
  if (biome.status !== 0) throw new Error(`biome could not format ${file}: ${biome.stderr}`);
  return biome.stdout;
}

const check = process.argv.includes("--check");
let stale = 0;
const contents = new Map<string, string>();
for (const table of tables) {
  const file = path.join(repoRoot, table.file);
  const text = contents.get(file) ?? readFileSync(file, "utf8");
  const start = `<!-- settings:${table.id} -->`;
  const end = `<!-- /settings:${table.id} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${table.file} has no ${start} … ${end} block`);
  const next = formatted(file, `${text.slice(0, from + start.length)}\n${render(table)}\n${text.slice(to)}`);
  if (next !== text) {
    stale++;
    if (check) console.error(`${table.file}: the ${table.id} settings table is stale: run \`npm run settings:docs\`.`);
  }
  contents.set(file, next);
}
if (check) {
  if (stale > 0) process.exit(1);
  console.log(`Settings tables are up to date (${tables.length} tables).`);
} else {
  for (const [file, text] of contents) writeFileSync(file, text);
  console.log(`Wrote ${tables.length} settings tables${stale ? ` (${stale} changed)` : ""}.`);
}
