import cluster from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import { metricsRegistry, useMetricsSource } from "./registry.ts";

/*
 * /metrics with several workers (node:cluster). Whichever worker a scrape reaches asks the primary, which gathers the
 * metrics of every worker (prom-client's AggregatorRegistry, over IPC) and hands back one exposition. Each worker's
 * series carry a `worker` label rather than being summed: a sum is wrong for most gauges (a circuit breaker's state,
 * outbox rows pending, counted from the same database by every worker), and Prometheus sums counters by itself.
 */

const REQUEST = "storefront:metrics-request";
const ANSWER = "storefront:metrics-answer";

interface MetricsRequest {
  readonly type: typeof REQUEST;
  readonly id: number;
}

interface MetricsAnswer {
  readonly type: typeof ANSWER;
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

/** In the primary: answers each worker's request for the metrics of all workers. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: MetricsRequest | undefined) => {
    if (message?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: message.id, text } satisfies MetricsAnswer),
      (error: unknown) => worker.send({ type: ANSWER, id: message.id, error: String(error) } satisfies MetricsAnswer),
    );
  });
}

/** In a worker: labels this worker's series and makes /metrics answer with every worker's. */
export function joinClusterMetrics(worker: string): void {
  metricsRegistry.setDefaultLabels({ worker });
  AggregatorRegistry.setRegistries([metricsRegistry]);
  // Its constructor subscribes this worker to the primary's requests for its metrics.
  new AggregatorRegistry();
  const waiting = new Map<number, (answer: MetricsAnswer) => void>();
  let next = 0;
  process.on("message", (message: MetricsAnswer | undefined) => {
    if (message?.type === ANSWER) waiting.get(message.id)?.(message);
  });
  useMetricsSource(
    () =>
      new Promise<string>((resolve, reject) => {
        const id = next++;
        // The primary gives up on a silent worker after 5 s; this waits a little longer for its answer.
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error("the primary did not answer with the workers' metrics within 6 s"));
        }, 6_000);
        waiting.set(id, (answer) => {
          clearTimeout(timer);
          waiting.delete(id);
          if (answer.text !== undefined) resolve(answer.text);
          else reject(new Error(answer.error ?? "no metrics"));
        });
        process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
      }),
  );
}
