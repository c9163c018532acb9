// This router against the other JavaScript gateways, side by side over the same six subgraph processes (distributed
// mode, a PostgreSQL database each): this router with every protection of its edge on, the stock @apollo/gateway
// (bench/stock-gateway.ts) and Hive Gateway (bench/hive-gateway.ts), both with default settings. All three must give
// the same answer to each query first; then each query runs at N connections against each gateway in turn, round
// after round (the gateway that goes first rotates), and the figures are medians over the rounds. Besides requests/s
// and latency: the CPU time each gateway's processes used per request (/proc/<pid>/stat, workers included), the CPU
// the six subgraphs used per request behind it, and each gateway's memory after the loads.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { routerNodeFlags } from "@storefront/router/node-flags";
import { freePort, graphqlRequest, startSupergraphProcesses } from "@storefront/testkit";
import autocannon from "autocannon";
import { shopSession } from "../test/e2e/support/shop.ts";
import { LISTING, protectedSettings } from "./router.ts";
import { median, round } from "./stats.ts";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(benchDir);

export const gatewayNames = ["router", "apollo", "hive"] as const;
export type GatewayName = (typeof gatewayNames)[number];
const gatewayLabels: Record<GatewayName, string> = {
  router: "this router",
  apollo: "stock @apollo/gateway",
  hive: "Hive Gateway",
};

/** The four pages a storefront asks for most. */
export const gatewayQueries = {
  typename: { label: "{ __typename }", query: "{ __typename }", signedIn: false },
  listing: { label: "product listing (20, category, stock)", query: LISTING, signedIn: false },
  product: {
    label: "product page",
    query: `query ProductPage($id: ID!) {
  product(id: $id) {
    id sku name description images price { amount currency }
    category { id name path { slug name } }
    inStock inventory { available }
  }
}`,
    signedIn: false,
  },
  account: {
    label: "account page (profile, cart, orders)",
    query: `query AccountPage {
  me {
    id name email defaultAddress { city countryCode }
    cart { itemCount subtotal { amount currency } items { quantity lineTotal { amount currency } product { id name price { amount currency } } } }
    orders(first: 10) { totalCount edges { node { id status createdAt total { amount currency } items { productName quantity } } } }
  }
}`,
    signedIn: true,
  },
} as const;
export type GatewayQueryName = keyof typeof gatewayQueries;
export const gatewayQueryNames = Object.keys(gatewayQueries) as GatewayQueryName[];

export interface GatewayBenchTarget {
  readonly postgresUrl: string;
  readonly log: (line: string) => void;
}

export interface GatewayBenchOptions {
  readonly rounds: number;
  readonly secondsPerRound: number;
  readonly warmUpSeconds: number;
  readonly connections: number;
  readonly queries: readonly GatewayQueryName[];
  readonly gateways: readonly GatewayName[];
  /** WORKERS of this router (the others run one process each). */
  readonly routerWorkers: number;
  /** WORKERS of each subgraph. */
  readonly subgraphWorkers: number;
  /** Settings of this router on top of the protected defaults (to price one of its features: a lever off). */
  readonly routerEnv?: Readonly<Record<string, string>>;
}

export interface GatewayRound {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors, timeouts, non-2xx answers and answers that differ from the checked one. */
  readonly errors: number;
  /** CPU time of the gateway's processes per answered request. */
  readonly gatewayCpuMsPerRequest: number;
  /** CPU time of the six subgraphs' processes per answered request. */
  readonly subgraphCpuMsPerRequest: number;
}

export interface GatewayFigures {
  readonly query: GatewayQueryName;
  readonly gateway: GatewayName;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly gatewayCpuMsPerRequest: number;
  readonly subgraphCpuMsPerRequest: number;
  readonly rounds: GatewayRound[];
}

export interface GatewayBenchFigures {
  readonly connections: number;
  readonly secondsPerRound: number;
  readonly routerWorkers: number;
  readonly subgraphWorkers: number;
  /** os.loadavg() before the first load and after the last (1, 5 and 15 minutes). */
  readonly loadAverage: { readonly before: number[]; readonly after: number[] };
  readonly figures: GatewayFigures[];
  /** Resident memory of each gateway's processes after the loads, MiB. */
  readonly rssMiB: Partial<Record<GatewayName, number>>;
}

// Linux process accounting: /proc/<pid>/stat counts CPU in clock ticks and memory in pages.
const clockTicksPerSecond = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
const pageBytes = Number(spawnSync("getconf", ["PAGESIZE"], { encoding: "utf8" }).stdout.trim()) || 4096;

interface ProcessStat {
  readonly pid: number;
  readonly ppid: number;
  readonly cpuTicks: number;
  readonly rssPages: number;
}

function readStat(pid: number): ProcessStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name is in parentheses and may hold spaces; the fields after it are space-separated
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      pid,
      ppid: Number(fields[1]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      rssPages: Number(fields[21]),
    };
  } catch {
    return null;
  }
}

/** A process and every process below it (a cluster primary and its workers). */
function processTree(rootPids: readonly number[]): ProcessStat[] {
  const all = readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => readStat(Number(entry)) ?? []);
  const tree = all.filter((stat) => rootPids.includes(stat.pid));
  for (let i = 0; i < tree.length; i++) {
    const parent = tree[i]?.pid;
    for (const stat of all) if (stat.ppid === parent && !tree.includes(stat)) tree.push(stat);
  }
  return tree;
}

const cpuMsOf = (pids: readonly number[]) => (processTree(pids).reduce((sum, stat) => sum + stat.cpuTicks, 0) * 1000) / clockTicksPerSecond;
const rssMiBOf = (pids: readonly number[]) =>
  round((processTree(pids).reduce((sum, stat) => sum + stat.rssPages, 0) * pageBytes) / 2 ** 20, 0);

/** The supergraph with each subgraph's routing URL replaced by where this run's subgraph listens. */
function supergraphFor(subgraphUrls: Readonly<Record<string, string>>): string {
  const sdl = readFileSync(path.join(repoRoot, "schema", "supergraph.graphql"), "utf8");
  return sdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (whole, name: string) => {
    const url = subgraphUrls[name];
    return url ? `@join__graph(name: "${name}", url: "${url}")` : whole;
  });
}

/** A gateway's script, its environment and the Node flags it runs with. */
type GatewayCommand = readonly [script: string, env: Record<string, string>, nodeFlags?: readonly string[]];

interface RunningGateway {
  readonly name: GatewayName;
  readonly url: string;
  readonly child: ChildProcess;
}

async function startGateway(name: GatewayName, [script, env, nodeFlags = []]: GatewayCommand): Promise<RunningGateway> {
  const port = await freePort();
  const output: string[] = [];
  const child = spawn(process.execPath, [...nodeFlags, script], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", APOLLO_TELEMETRY_DISABLED: "true", ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 100) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${gatewayLabels[name]} exited with ${child.exitCode}:\n${output.join("")}`);
    const ready = await graphqlRequest(url, "{ __typename }").then(
      (answer) => answer.status === 200 && answer.body.data?.__typename === "Query",
      () => false,
    );
    if (ready) return { name, url, child };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill("SIGKILL");
  throw new Error(`${gatewayLabels[name]} did not answer within 90 s:\n${output.join("")}`);
}

async function stopGateway(gateway: RunningGateway): Promise<void> {
  if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => gateway.child.once("exit", () => resolve()));
  gateway.child.kill("SIGTERM");
  const timer = setTimeout(() => gateway.child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

interface Request {
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** The exact HTTP body a gateway answers the request with; every request of a load must get it again. */
async function answerOf(url: string, request: Request): Promise<string> {
  const response = await fetch(url, { method: "POST", headers: request.headers, body: request.body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`HTTP ${response.status} from ${url}: ${text.slice(0, 500)}`);
  return text;
}

async function load(url: string, request: Request, expectBody: string, seconds: number, connections: number) {
  const result = await autocannon({
    url,
    method: "POST",
    connections,
    duration: seconds,
    headers: request.headers,
    body: request.body,
    expectBody,
  });
  return {
    requestsPerSecond: round(result.requests.total / (result.duration || seconds), 0),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts + result.mismatches,
    answered: result.requests.total,
  };
}

export async function benchmarkGateways(target: GatewayBenchTarget, options: GatewayBenchOptions): Promise<GatewayBenchFigures> {
  const previous = process.env.TEST_POSTGRES_URL;
  process.env.TEST_POSTGRES_URL = target.postgresUrl;
  const workDir = mkdtempSync(path.join(os.tmpdir(), "storefront-gateway-bench-"));
  target.log(`starting six subgraph processes (production mode, WORKERS=${options.subgraphWorkers}) ...`);
  const subgraphs = ["users", "catalog", "inventory", "cart", "orders", "payments"];
  const stack = await startSupergraphProcesses({
    subgraphs,
    env: {
      NODE_ENV: "production",
      SEED_DEMO_IN_PRODUCTION: "true",
      LOG_LEVEL: "warn",
      APOLLO_TELEMETRY_DISABLED: "true",
      WORKERS: String(options.subgraphWorkers),
      // the customer's one token lasts the whole run
      ACCESS_TOKEN_TTL_SECONDS: String(24 * 3600),
      // the stack's own router only sets the scene; the measured one is started below
      ...protectedSettings,
    },
  });
  const gateways: RunningGateway[] = [];
  try {
    const subgraphPids = subgraphs.map((name) => stack.child(name).pid ?? 0);
    const supergraphPath = path.join(workDir, "supergraph.graphql");
    writeFileSync(supergraphPath, supergraphFor(stack.subgraphUrls));
    // @apollo/gateway refuses a supergraph linking SECURITY features it cannot enforce (@authenticated,
    // @requiresScopes); its copy links them without `for: SECURITY`: it ignores them, and each subgraph enforces them.
    const stockSupergraphPath = path.join(workDir, "supergraph-stock.graphql");
    writeFileSync(stockSupergraphPath, supergraphFor(stack.subgraphUrls).replaceAll(", for: SECURITY)", ")"));
    const urlEnv = Object.fromEntries(Object.entries(stack.subgraphUrls).map(([name, url]) => [`${name.toUpperCase()}_URL`, url]));
    const scripts: Record<GatewayName, GatewayCommand> = {
      // with the Node flags it is deployed with (the image, docker-compose.yml)
      router: [
        path.join(repoRoot, "router/src/main.ts"),
        { ...urlEnv, ...protectedSettings, WORKERS: String(options.routerWorkers), ...options.routerEnv },
        routerNodeFlags,
      ],
      apollo: [path.join(benchDir, "stock-gateway.ts"), { SUPERGRAPH_PATH: stockSupergraphPath }],
      hive: [path.join(benchDir, "hive-gateway.ts"), { SUPERGRAPH_PATH: supergraphPath }],
    };
    for (const name of options.gateways) {
      gateways.push(await startGateway(name, scripts[name]));
      target.log(`${gatewayLabels[name]} answers at ${gateways.at(-1)?.url}`);
    }

    // The scene: a customer with an address, an order and a cart with three products in it.
    const listing = await graphqlRequest<{ products: { edges: { node: { id: string } }[] } }>(stack.routerUrl, LISTING);
    const productIds = listing.body.data?.products.edges.map((edge) => edge.node.id) ?? [];
    assert.ok(productIds.length >= 5, `the demo catalog lists ${productIds.length} products`);
    const [first, second, third, fourth] = productIds as [string, string, string, string];
    const registered = await graphqlRequest<{ register: { accessToken: string } }>(
      stack.routerUrl,
      "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
      { input: { email: `bench-${Date.now()}@example.com`, password: "correct horse battery", name: "Robin Bench" } },
    );
    const token = registered.body.data?.register.accessToken;
    assert.ok(token, `registering the customer: ${JSON.stringify(registered.body.errors)}`);
    const customer = shopSession(stack.routerUrl, token);
    await customer.addAddress();
    await customer.addToCart(first, 2);
    await customer.addToCart(second, 1);
    const placed = await customer.checkout();
    assert.deepEqual(placed.body.errors, undefined, "the customer's checkout");
    for (const id of [second, third, fourth]) await customer.addToCart(id, 1);

    const requests = Object.fromEntries(
      options.queries.map((name) => {
        const { query, signedIn } = gatewayQueries[name];
        const variables = name === "product" ? { id: third } : undefined;
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (signedIn) headers.authorization = `Bearer ${token}`;
        return [name, { body: JSON.stringify({ query, variables }), headers }];
      }),
    ) as Record<GatewayQueryName, Request>;

    // Identical answers first: the same data, no errors, from every gateway.
    const expected = new Map<string, string>();
    for (const query of options.queries) {
      const request = requests[query];
      let reference: { gateway: GatewayName; parsed: unknown } | undefined;
      for (const gateway of gateways) {
        const body = await answerOf(gateway.url, request);
        const parsed = JSON.parse(body) as { data?: unknown; errors?: unknown };
        if (parsed.errors !== undefined || parsed.data === undefined)
          throw new Error(`${gatewayLabels[gateway.name]} answers ${query} with errors: ${body.slice(0, 1_000)}`);
        if (reference && !isDeepStrictEqual(parsed.data, reference.parsed))
          throw new Error(
            `${gatewayLabels[gateway.name]} and ${gatewayLabels[reference.gateway]} answer ${query} differently:\n${JSON.stringify(parsed.data)}\n${JSON.stringify(reference.parsed)}`,
          );
        reference ??= { gateway: gateway.name, parsed: parsed.data };
        expected.set(`${gateway.name}:${query}`, body);
      }
    }
    target.log(`all ${gateways.length} gateways give the same answers to ${options.queries.join(", ")}`);

    target.log(`warming up (${options.warmUpSeconds} s per query and gateway) ...`);
    for (const query of options.queries)
      for (const gateway of gateways)
        await load(
          gateway.url,
          requests[query],
          expected.get(`${gateway.name}:${query}`) ?? "",
          options.warmUpSeconds,
          options.connections,
        );

    const loadAverageBefore = os.loadavg().map((value) => round(value, 2));
    const rounds = new Map<string, GatewayRound[]>();
    for (let i = 0; i < options.rounds; i++) {
      for (const query of options.queries) {
        // rotate who goes first, so that no gateway always runs on a machine the one before it just warmed
        const order = gateways.map((_, index) => gateways[(index + i) % gateways.length] as RunningGateway);
        for (const gateway of order) {
          const gatewayPid = gateway.child.pid ?? 0;
          const gatewayCpuBefore = cpuMsOf([gatewayPid]);
          const subgraphCpuBefore = cpuMsOf(subgraphPids);
          const figures = await load(
            gateway.url,
            requests[query],
            expected.get(`${gateway.name}:${query}`) ?? "",
            options.secondsPerRound,
            options.connections,
          );
          const perRequest = (ms: number) => round(ms / Math.max(1, figures.answered), 3);
          const measured: GatewayRound = {
            requestsPerSecond: figures.requestsPerSecond,
            p50Ms: figures.p50Ms,
            p99Ms: figures.p99Ms,
            errors: figures.errors,
            gatewayCpuMsPerRequest: perRequest(cpuMsOf([gatewayPid]) - gatewayCpuBefore),
            subgraphCpuMsPerRequest: perRequest(cpuMsOf(subgraphPids) - subgraphCpuBefore),
          };
          const key = `${gateway.name}:${query}`;
          rounds.set(key, [...(rounds.get(key) ?? []), measured]);
          target.log(
            `round ${i + 1} ${query} ${gatewayLabels[gateway.name]}: ${measured.requestsPerSecond} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms, ${measured.errors} errors, CPU ${measured.gatewayCpuMsPerRequest} ms/req (subgraphs ${measured.subgraphCpuMsPerRequest})`,
          );
        }
      }
    }
    const loadAverageAfter = os.loadavg().map((value) => round(value, 2));

    const figures: GatewayFigures[] = options.queries.flatMap((query) =>
      gateways.map(({ name }) => {
        const list = rounds.get(`${name}:${query}`) ?? [];
        return {
          query,
          gateway: name,
          requestsPerSecond: median(list.map((r) => r.requestsPerSecond)),
          p50Ms: median(list.map((r) => r.p50Ms)),
          p99Ms: median(list.map((r) => r.p99Ms)),
          errors: list.reduce((sum, r) => sum + r.errors, 0),
          gatewayCpuMsPerRequest: median(list.map((r) => r.gatewayCpuMsPerRequest)),
          subgraphCpuMsPerRequest: median(list.map((r) => r.subgraphCpuMsPerRequest)),
          rounds: list,
        };
      }),
    );
    const rssMiB = Object.fromEntries(gateways.map((gateway) => [gateway.name, rssMiBOf([gateway.child.pid ?? 0])]));
    return {
      connections: options.connections,
      secondsPerRound: options.secondsPerRound,
      routerWorkers: options.routerWorkers,
      subgraphWorkers: options.subgraphWorkers,
      loadAverage: { before: loadAverageBefore, after: loadAverageAfter },
      figures,
      rssMiB,
    };
  } finally {
    for (const gateway of gateways) await stopGateway(gateway);
    await stack.stop();
    rmSync(workDir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TEST_POSTGRES_URL;
    else process.env.TEST_POSTGRES_URL = previous;
  }
}

/** The figures as rows of a table: one per query and gateway, with this router's lead over each other gateway. */
export function gatewayTable(bench: GatewayBenchFigures): Record<string, Record<string, string | number>> {
  const rows: Record<string, Record<string, string | number>> = {};
  for (const figure of bench.figures) {
    const ours = bench.figures.find((other) => other.query === figure.query && other.gateway === "router");
    rows[`${gatewayQueries[figure.query].label} · ${gatewayLabels[figure.gateway]}`] = {
      "req/s": figure.requestsPerSecond,
      "p50 ms": figure.p50Ms,
      "p99 ms": figure.p99Ms,
      errors: figure.errors,
      "router ÷ this": ours && figure.gateway !== "router" ? `${round(ours.requestsPerSecond / figure.requestsPerSecond, 2)}×` : "",
      "CPU ms/req": figure.gatewayCpuMsPerRequest,
      "subgraphs CPU ms/req": figure.subgraphCpuMsPerRequest,
    };
  }
  return rows;
}
