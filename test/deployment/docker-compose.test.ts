// docker-compose.yml (production) and docker-compose.dev.yml (the demo shop), read the way Compose reads them:
// YAML with merge keys, variables interpolated from an env file, the dev file merged over the production one.
// No Docker engine is needed, so these run everywhere the other tests do.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { serviceClientIds } from "@storefront/auth";
import { graphiqlEnabled, localDevOrigins, readRouterSettings, routerSettingsShape } from "@storefront/router";
import { routerNodeFlags } from "@storefront/router/node-flags";
import { serviceSecretsFromEnv, serviceSecretVariable } from "@storefront/runtime";
import { defaultSubgraphPorts, subgraphNames } from "@storefront/service";
import { parse } from "yaml";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The variables an env file sets (`NAME=value` lines; comments and blank lines skipped). */
function envFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

/** Compose's interpolation of one string: `$$`, `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`. */
function interpolate(text: string, env: Readonly<Record<string, string>>, errors: string[]): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g,
    (match, braced?: string, operator?: string, argument = "", bare?: string) => {
      if (match === "$$") return "$";
      const name = braced ?? bare ?? "";
      const value = Object.hasOwn(env, name) ? env[name] : undefined;
      const empty = value === undefined || value === "";
      if (operator === ":-") return empty ? argument : value;
      if (operator === "-") return value ?? argument;
      if ((operator === ":?" && empty) || (operator === "?" && value === undefined)) errors.push(`${name}: ${argument}`);
      return value ?? "";
    },
  );
}

function interpolateAll(value: unknown, env: Readonly<Record<string, string>>, errors: string[]): unknown {
  if (typeof value === "string") return interpolate(value, env, errors);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env, errors));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, env, errors)]));
  }
  return value;
}

/** `-f base -f override`: mappings merge key by key (a service's environment too), anything else is replaced. */
function mergeOver(base: unknown, override: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (!isMap(base) || !isMap(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = key in base ? mergeOver(base[key], value) : value;
  return merged;
}

interface Service {
  readonly command?: readonly string[];
  readonly environment?: Record<string, string | number | null>;
}
interface ComposeModel {
  readonly services: Record<string, Service>;
}

/** The model Compose would run with `files` and the variables of `env`, and every interpolation error. */
function composeModel(files: readonly string[], env: Readonly<Record<string, string>>): { model: ComposeModel; errors: string[] } {
  const errors: string[] = [];
  const documents = files.map((file) => interpolateAll(parse(read(file), { merge: true }), env, errors));
  const model = documents.reduce((merged, document) => mergeOver(merged, document)) as ComposeModel;
  return { model, errors: [...new Set(errors)] };
}

/** A service's environment as the strings its process sees. */
function envOf(model: ComposeModel, service: string): Record<string, string> {
  const environment = model.services[service]?.environment;
  assert.ok(environment, `service ${service} has an environment`);
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)]));
}

const production = ["docker-compose.yml"];
const development = ["docker-compose.yml", "docker-compose.dev.yml"];
const example = envFile(read(".env.example"));
/** .env.example filled in the way its comments ask. */
const filledIn = {
  ...example,
  POSTGRES_PASSWORD: "a1b2c3d4e5f6a7b8c9d0",
  SERVICE_CLIENT_SECRET_ORDERS: "k7Qm2pX9vR4tL8wZ1nB6cY3hJ5dF0sGa-orders",
  SERVICE_CLIENT_SECRET_INVENTORY: "Vb3nQ8rT1wY6uI0oP4aS7dF2gH5jK9lZ-inventory",
};
const secrets = ["POSTGRES_PASSWORD", ...serviceClientIds.map(serviceSecretVariable)];

describe("docker-compose", () => {
  it("refuses to start the production stack while a secret is missing or empty, naming it", () => {
    for (const env of [{}, example]) {
      const { errors } = composeModel(production, env);
      assert.deepEqual(errors.map((error) => error.slice(0, error.indexOf(":"))).sort(), [...secrets].sort());
      for (const error of errors) assert.match(error, /set \w+ in \.env.*\(see \.env\.example\)/);
    }
  });

  it("reads every secret as required: no fallback value, no password written into the file", () => {
    const text = read("docker-compose.yml");
    const references = [...text.matchAll(/\$\{(\w+)([^}]*)\}/g)].filter(([, name]) => secrets.includes(name ?? ""));
    assert.ok(references.length >= secrets.length);
    for (const [reference, , rest] of references) assert.match(rest ?? "", /^:\?/, `${reference} is required`);
    assert.doesNotMatch(text, /postgres:postgres@|POSTGRES_PASSWORD: postgres/);
  });

  it("runs the production stack in production mode: no demo data in any subgraph, no Sandbox or GraphiQL on the router", () => {
    const { model, errors } = composeModel(production, filledIn);
    assert.deepEqual(errors, []);
    for (const name of subgraphNames) {
      const env = envOf(model, name);
      assert.equal(env.NODE_ENV, "production", name);
      assert.equal(env.SEED_DEMO, "false", name);
    }
    const router = readRouterSettings(envOf(model, "router"));
    assert.equal(router.NODE_ENV, "production");
    assert.equal(graphiqlEnabled(router), false);
    assert.equal(router.INTROSPECTION, false);
  });

  it("gives each subgraph what the process e2e test gives it: its port, its own database, every subgraph's URL, Kafka and the service secrets", () => {
    const { model } = composeModel(production, filledIn);
    const databases = read("infra/postgres/create-databases.sql");
    const urls = Object.fromEntries(
      subgraphNames.map((name) => [`${name.toUpperCase()}_URL`, `http://${name}:${defaultSubgraphPorts[name]}/graphql`]),
    );
    for (const name of subgraphNames) {
      const env = envOf(model, name);
      assert.deepEqual(model.services[name]?.command, ["node", `subgraphs/${name}/src/main.ts`]);
      assert.equal(env.PORT, String(defaultSubgraphPorts[name]));
      assert.equal(env.DATABASE_URL, `postgresql://postgres:${filledIn.POSTGRES_PASSWORD}@postgres:5432/storefront_${name}`);
      assert.match(databases, new RegExp(`CREATE DATABASE storefront_${name};`));
      assert.deepEqual(Object.fromEntries(Object.keys(urls).map((key) => [key, env[key]])), urls, `${name} knows every subgraph's URL`);
      assert.equal(env.KAFKA_BROKERS, "kafka:9092");
      assert.equal(env.MIGRATE_ON_START, "true");
    }
    // The users subgraph checks each service client's secret; the client itself presents it.
    for (const client of serviceClientIds) {
      const variable = serviceSecretVariable(client);
      assert.equal(envOf(model, "users")[variable], filledIn[variable as keyof typeof filledIn]);
      assert.equal(envOf(model, client)[variable], filledIn[variable as keyof typeof filledIn]);
      assert.deepEqual(Object.keys(serviceSecretsFromEnv("users", envOf(model, "users"))), serviceClientIds);
    }
    const routerEnv = envOf(model, "router");
    assert.deepEqual(
      Object.keys(routerEnv).filter((key) => !Object.hasOwn(routerSettingsShape, key)),
      [],
      "the router is only given settings it knows",
    );
    assert.deepEqual(Object.fromEntries(Object.keys(urls).map((key) => [key, routerEnv[key]])), urls);
    assert.equal(routerEnv.KAFKA_BROKERS, "kafka:9092", "the router's response cache hears catalog and stock changes");
  });

  it("runs the router with its Node flags (router/src/node-flags.ts) in the stack, the image, npm start -w router and the README", () => {
    const command = ["node", ...routerNodeFlags, "router/src/main.ts"];
    assert.deepEqual(composeModel(production, filledIn).model.services.router?.command, command);
    assert.match(read("Dockerfile"), new RegExp(`^CMD ${escapeRegExp(JSON.stringify(command).replaceAll(",", ", "))}$`, "m"));
    const routerPackage = JSON.parse(read("router/package.json")) as { scripts: Record<string, string> };
    assert.equal(routerPackage.scripts.start, ["node", ...routerNodeFlags, "src/main.ts"].join(" "));
    assert.match(read("README.md"), new RegExp(`^${escapeRegExp(command.join(" "))}\\b`, "m"));
  });

  it("with docker-compose.dev.yml and its env file, runs the demo shop: demo data in every subgraph, Sandbox and GraphiQL on the router", () => {
    const { model, errors } = composeModel(development, envFile(read("docker-compose.dev.env")));
    assert.deepEqual(errors, []);
    for (const name of subgraphNames) {
      const env = envOf(model, name);
      assert.equal(env.NODE_ENV, "development", name);
      assert.equal(env.SEED_DEMO, "true", name);
      assert.match(env.DATABASE_URL ?? "", new RegExp(`@postgres:5432/storefront_${name}$`));
    }
    assert.deepEqual(Object.keys(serviceSecretsFromEnv("users", envOf(model, "users"))), serviceClientIds);
    const router = readRouterSettings(envOf(model, "router"));
    assert.equal(router.NODE_ENV, "development");
    assert.equal(graphiqlEnabled(router), true);
    assert.equal(router.INTROSPECTION, true);
    assert.deepEqual(router.CORS_ORIGINS, localDevOrigins);
  });

  it("documents in .env.example every variable docker-compose.yml reads, each under a comment, and nothing else", () => {
    const variables = [...new Set([...read("docker-compose.yml").matchAll(/\$\{(\w+)/g)].map(([, name]) => name ?? ""))].sort();
    assert.deepEqual(Object.keys(example).sort(), variables);
    const lines = read(".env.example").split("\n");
    for (const name of variables) {
      const at = lines.findIndex((line) => line.startsWith(`${name}=`));
      assert.match(lines[at - 1] ?? "", /^# /, `${name} has a comment`);
    }
    for (const name of Object.keys(envFile(read("docker-compose.dev.env")))) assert.ok(variables.includes(name), `${name} is read`);
  });
});
