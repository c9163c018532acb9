// Ports for services a test starts later, in another process or after more setup.
//
// Asking the kernel for a free port (listen on 0, close, hand the number on) leaves a window of seconds before the
// service binds it: a subgraph process loads its modules and opens its database first. In that window the kernel may
// give the same number to another test's listen(0) or to an outgoing connection, and the service then either fails to
// start or, worse, its /ready is answered by the other test's server and the router talks to the wrong service. So the
// ports come from below the kernel's ephemeral range, which the kernel never hands out by itself, and test processes
// running side by side claim them through a lock file each, held until the claiming process exits.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const claimsDir = path.join(tmpdir(), "storefront-test-ports");
const claimed = new Set<string>();
/** A claim older than this is stale even when its pid is alive again (pids are reused); no test run is this long. */
const CLAIM_TTL_MS = 3 * 60 * 60 * 1000;
/** Lowest port handed out: above the fixed ports of the services on a developer's machine (PostgreSQL, Kafka, …). */
const LOWEST_PORT = 20_000;

process.once("exit", () => {
  for (const file of claimed) rmSync(file, { force: true });
});

/** The ports the kernel does not hand out by itself, or undefined where that range is not known. */
function portsOutsideEphemeralRange(): { low: number; high: number } | undefined {
  try {
    const [ephemeralLow] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (ephemeralLow !== undefined && ephemeralLow - 1 - LOWEST_PORT >= 1_000) return { low: LOWEST_PORT, high: ephemeralLow - 1 };
  } catch {
    // not Linux: fall back to the kernel's pick
  }
  return undefined;
}

function isStale(file: string): boolean {
  try {
    if (Date.now() - statSync(file).mtimeMs > CLAIM_TTL_MS) return true;
    const pid = Number(readFileSync(file, "utf8"));
    if (!Number.isInteger(pid) || pid <= 0) return true;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // ESRCH: the claiming process is gone; ENOENT: released meanwhile; EPERM: alive, another user's
    return (error as NodeJS.ErrnoException).code !== "EPERM";
  }
}

/** Claims the port for this process until it exits; false when another live process holds it. */
export function claimPort(port: number): boolean {
  const file = path.join(claimsDir, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      claimed.add(file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || !isStale(file)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

function release(port: number): void {
  const file = path.join(claimsDir, String(port));
  claimed.delete(file);
  rmSync(file, { force: true });
}

/** Listens on the port on 127.0.0.1 and closes again: resolves with the port, or with undefined when it is taken. */
function bindAndClose(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : undefined));
    });
  });
}

/**
 * A port on 127.0.0.1 that nothing listens on and that no other test process is handed until this one exits, for a
 * service to bind later (or for an address that must stay unreachable).
 */
export async function freePort(): Promise<number> {
  const range = portsOutsideEphemeralRange();
  if (!range) {
    const port = await bindAndClose(0);
    if (port === undefined) throw new Error("the kernel gave no free port");
    return port;
  }
  mkdirSync(claimsDir, { recursive: true });
  const size = range.high - range.low + 1;
  const start = Math.floor(Math.random() * size);
  for (let offset = 0; offset < size; offset++) {
    const port = range.low + ((start + offset) % size);
    if (!claimPort(port)) continue;
    if ((await bindAndClose(port)) === port) return port;
    release(port); // something outside the tests listens there
  }
  throw new Error(`no free port between ${range.low} and ${range.high}`);
}
