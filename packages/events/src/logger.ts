/** The logging this package needs; a pino logger fits as is. */
export interface EventLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** Drops everything (tests). */
export function silentLogger(): EventLogger {
  const drop = (): void => {};
  return { debug: drop, info: drop, warn: drop, error: drop };
}

/** The default when no logger is given: errors only, one JSON line on stderr, so failures are never silent. */
export function errorsOnlyLogger(): EventLogger {
  const drop = (): void => {};
  return {
    debug: drop,
    info: drop,
    warn: drop,
    error: (fields, message) => {
      process.stderr.write(`${JSON.stringify({ level: "error", time: new Date().toISOString(), ...fields, msg: message })}\n`);
    },
  };
}

/** Error → loggable fields (pino's `err` convention). */
export function errorFields(error: unknown): { err: { name: string; message: string; stack?: string } } {
  if (error instanceof Error) return { err: { name: error.name, message: error.message, stack: error.stack } };
  return { err: { name: "NonError", message: String(error) } };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
