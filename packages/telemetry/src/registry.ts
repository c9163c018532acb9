import type { IncomingMessage, ServerResponse } from "node:http";
import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * The process's one Prometheus registry. In the embedded default the router and all six subgraphs share a process,
 * so every per-service metric carries a `service` label instead of relying on Prometheus' `job`.
 */
export const metricsRegistry = new Registry();

let defaultMetricsOn = false;

/** Node's own metrics (CPU, memory, event loop lag, GC, handles), started by the first process that serves /metrics. */
function collectNodeMetrics(): void {
  if (defaultMetricsOn) return;
  defaultMetricsOn = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

// Where /metrics gets its text: this process's registry, or every worker's when the process is a cluster worker.
let metricsSource: () => Promise<string> = () => metricsRegistry.metrics();

/** Makes /metrics answer with `source` (cluster.ts: the metrics of every worker). */
export function useMetricsSource(source: () => Promise<string>): void {
  metricsSource = source;
}

/** The Prometheus text exposition of every metric of this process (of every worker, with several). */
export async function metricsText(): Promise<string> {
  return metricsSource();
}

/** The `/metrics` route (Prometheus text exposition format), for createGraphQLHttpServer's `routes`. */
export function metricsRoute(): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  collectNodeMetrics();
  return async (_req, res) => {
    const body = await metricsText();
    res.writeHead(200, { "content-type": metricsRegistry.contentType, "cache-control": "no-store" });
    res.end(body);
  };
}

/** Resolves with `work`'s value, or with undefined after `ms` (a scrape must not hang on a slow database or broker). */
export async function withinScrapeDeadline<T>(work: Promise<T>, ms = 2_000): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => {});
  try {
    return await Promise.race([work, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
