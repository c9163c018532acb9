import { z } from "zod";
import { type EventType, eventCatalog, eventTypes } from "./catalog.ts";
import { envelopeSchema } from "./envelope.ts";

/** Where the published schemas say they live (their `$id`s); a name, not necessarily a fetchable URL. */
export const SCHEMA_BASE_URI = "https://schemas.storefront.dev/events/";

/**
 * JSON Schema (draft 2020-12) of every event type's whole CloudEvents envelope, for consumers outside this
 * repository. Describes what a valid event looks like on input: unknown properties are allowed (readers must
 * tolerate fields added within a version).
 */
export function eventJsonSchemas(): Record<EventType, Record<string, unknown>> {
  const schemas = {} as Record<EventType, Record<string, unknown>>;
  for (const type of eventTypes) {
    const definition = eventCatalog[type];
    const envelope = envelopeSchema.extend({ type: z.literal(type), data: definition.data });
    schemas[type] = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: `${SCHEMA_BASE_URI}${type}.json`,
      title: type,
      description: definition.description,
      "x-topic": definition.topic,
      ...withoutDialect(z.toJSONSchema(envelope, { io: "input", unrepresentable: "throw" })),
    };
  }
  return schemas;
}

function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}
