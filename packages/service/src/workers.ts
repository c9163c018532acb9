import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { joinClusterMetrics, serveClusterMetrics } from "@storefront/telemetry";
import type { Logger } from "pino";
import { z } from "zod";

/** The WORKERS setting of a process that can run on every core (the router, each subgraph process). */
export function workersSetting() {
  return z.coerce
    .number()
    .int()
    .min(1)
    .max(256)
    .optional()
    .describe(
      "Processes serving this port (node:cluster workers, each a full copy with its own connections, pools and in-memory state); default: the number of CPUs with NODE_ENV=production, else 1. SIGTERM to the primary drains every worker.",
    );
}

/** How many workers a process runs: WORKERS, else a worker per CPU in production and one otherwise. */
export function workerCount(settings: { readonly WORKERS?: number | undefined; readonly NODE_ENV: string }): number {
  return settings.WORKERS ?? (settings.NODE_ENV === "production" ? availableParallelism() : 1);
}

export interface WorkersOptions {
  readonly workers: number;
  /** The process's logger; the primary logs with it, and each worker's logger carries its worker number. */
  readonly logger: Logger;
  /** After SIGTERM, how long the workers may take to drain before they are killed (and the primary exits 1). */
  readonly shutdownTimeoutMs: number;
}

// The primary asks a worker to stop with this message; the worker then signals itself as an orchestrator would.
const SHUTDOWN = "storefront:shutdown";
// A worker that keeps failing after it once served is replaced, but no faster than this.
const RESTART_DELAY_MS = 1_000;

/**
 * Runs `serve` on every core: with one worker, in this very process (as before); with more, this process becomes a
 * node:cluster primary that serves nothing itself and runs `serve` in that many worker processes, which share the
 * listening port (the primary hands out connections in turn).
 *
 * - Start: the first worker starts alone (it applies migrations and seeds, which are then done once), the others
 *   once it listens. A worker that exits before it listens fails the whole start: exit 1.
 * - A worker that dies later is replaced (after a second), and the others go on serving meanwhile.
 * - SIGTERM or SIGINT to the primary drains every worker (each as a single process would: /ready 503, requests in
 *   flight finish, then it stops); the primary exits 0 once all have exited 0, 1 if one failed or overran
 *   `shutdownTimeoutMs` (it is then killed). A worker whose primary vanished drains itself.
 * - /metrics in any worker answers with every worker's series (a `worker` label each).
 */
export function runWorkers(options: WorkersOptions, serve: (logger: Logger) => void): void {
  if (options.workers <= 1) {
    serve(options.logger);
    return;
  }
  if (cluster.isWorker) {
    runAsWorker(options.logger, serve);
    return;
  }
  runPrimary(options);
}

function runAsWorker(logger: Logger, serve: (logger: Logger) => void): void {
  const id = String(cluster.worker?.id ?? process.pid);
  joinClusterMetrics(id);
  let signalled = false;
  const noteSignal = () => {
    signalled = true;
  };
  process.once("SIGTERM", noteSignal);
  process.once("SIGINT", noteSignal);
  // The shutdown runs through the process's own signal handler (runUntilSignalled), once: a worker that already got
  // the signal itself (Ctrl-C reaches the whole process group) ignores the primary's request.
  const stopOnce = () => {
    if (!signalled) process.kill(process.pid, "SIGTERM");
  };
  process.on("message", (message) => {
    if (message === SHUTDOWN) stopOnce();
  });
  process.on("disconnect", stopOnce);
  serve(logger.child({ worker: Number(id) }));
}

function runPrimary({ workers, logger, shutdownTimeoutMs }: WorkersOptions): void {
  serveClusterMetrics();
  const alive = new Set<Worker>();
  const listening = new Set<Worker>();
  let started = false;
  let stopping = false;
  let failed = false;

  const fork = (): Worker => {
    const worker = cluster.fork();
    alive.add(worker);
    worker.once("listening", () => {
      listening.add(worker);
      if (started) logger.info({ worker: worker.id, pid: worker.process.pid }, "worker serving");
      else if (listening.size === 1) for (let i = 1; i < workers; i++) fork();
      if (!started && listening.size === workers) {
        started = true;
        logger.info({ workers }, "every worker serving");
      }
    });
    worker.once("exit", (code, signal) => {
      alive.delete(worker);
      const served = listening.delete(worker);
      if (stopping) {
        if (code !== 0) failed = true;
        // The primary ends when its last worker has: 0 when every worker drained cleanly.
        if (alive.size === 0) process.exit(failed ? 1 : 0);
        return;
      }
      if (!served) {
        // It never listened: bad settings or a dependency down at start. Its own log says why.
        logger.fatal({ worker: worker.id, code, signal }, "a worker failed to start; stopping");
        failed = true;
        stop("start failure");
        if (alive.size === 0) process.exit(1);
        return;
      }
      logger.error({ worker: worker.id, code, signal }, "a worker exited; starting another");
      setTimeout(() => {
        if (!stopping) fork();
      }, RESTART_DELAY_MS).unref();
    });
    return worker;
  };

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, "stopping every worker");
    for (const worker of alive) {
      if (worker.isConnected()) worker.send(SHUTDOWN);
      else worker.process.kill("SIGTERM");
    }
    const overran = setTimeout(() => {
      logger.error({ timeoutMs: shutdownTimeoutMs }, "workers still running after the shutdown timeout; killing them");
      failed = true;
      for (const worker of alive) worker.process.kill("SIGKILL");
    }, shutdownTimeoutMs);
    overran.unref();
  };

  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  logger.info({ workers }, "starting workers");
  fork();
}
