import type { Logger } from "pino";
import { InvalidEnvironmentError } from "./env.ts";

/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits; a second signal exits at once.
 * Start-up failures (bad environment, port taken) exit with a one-line reason, not a stack.
 */
export function runUntilSignalled(logger: Logger, start: () => Promise<() => Promise<void>>): void {
  let stop: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal }, "shutting down");
    try {
      await stop?.();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  start().then(
    (stopFn) => {
      stop = stopFn;
    },
    (error: unknown) => {
      if (error instanceof InvalidEnvironmentError) console.error(error.message);
      else logger.fatal({ err: error }, "failed to start");
      process.exit(1);
    },
  );
}
