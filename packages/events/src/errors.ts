/** A failure that retrying cannot fix: the consumer sends the message straight to the dead-letter topic. Handlers may throw it too. */
export class PermanentEventError extends Error {
  override name = "PermanentEventError";
  readonly permanent = true;
}

/** A message that is not a valid event of a known type (bad JSON, missing attributes, unknown type, data not matching its schema). */
export class MalformedEventError extends PermanentEventError {
  override name = "MalformedEventError";
}

export function isPermanentError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { permanent?: unknown }).permanent === true;
}
