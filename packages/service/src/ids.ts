// Every id in the graph is a UUID. A string that is not one names nothing, so lookups skip it
// instead of sending the database a value it would reject.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/** The keys worth looking up: well-formed UUIDs only. */
export function uuidsOnly(ids: readonly string[]): string[] {
  return ids.filter(isUuid);
}
