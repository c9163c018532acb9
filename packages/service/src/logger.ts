import { activeTraceIds } from "@storefront/telemetry";
import { type Logger, pino } from "pino";

export type { Logger } from "pino";

export interface LoggerOptions {
  /** The service's name, on every line as `service`. */
  readonly service: string;
  readonly level?: string;
}

/**
 * Structured JSON logs on stdout, one object per line, with the service's name on each, and the `traceId` and
 * `spanId` of the span it was written in (next to a request's `requestId`), to find a log line's trace and back.
 */
export function createLogger({ service, level = "info" }: LoggerOptions): Logger {
  return pino({
    level,
    base: { service },
    mixin: activeTraceIds,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** A logger that drops everything (tests that assert on behaviour, not on logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
