import type { Logger } from "@storefront/service";
import type { PeriodicJob } from "./subgraph-module.ts";

/** Runs a job on its period until the returned closer is called; the closer waits for a run in progress. */
export function startPeriodicJob(job: PeriodicJob, logger: Logger): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = () => {
    timer = setTimeout(() => {
      running = job
        .run()
        .then(() => undefined)
        .catch((error: unknown) => logger.error({ err: error, job: job.name }, "periodic job failed; it runs again next period"))
        .finally(() => {
          if (!stopped) schedule();
        });
    }, job.everyMs);
    timer.unref();
  };
  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
