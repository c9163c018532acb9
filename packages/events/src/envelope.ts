import { randomUUID } from "node:crypto";
import { traceHeaders } from "@storefront/telemetry";
import { z } from "zod";
import { type EventData, type EventDataInput, type EventDefinition, type EventType, eventDefinition, isEventType } from "./catalog.ts";
import { MalformedEventError } from "./errors.ts";

/** A CloudEvents 1.0 event in structured JSON mode, plus the `correlationid` and distributed-tracing extensions. */
export interface EventEnvelope<T = unknown, K extends string = string> {
  specversion: "1.0";
  /** Unique per event (UUID); consumers deduplicate on it. */
  id: string;
  /** Who produced it, a URI reference: `/storefront/orders`. */
  source: string;
  /** Versioned event type: `order.placed.v1`. */
  type: K;
  /** What it is about: the order id for order events, the payment id for payment events. */
  subject: string;
  /** When it happened, RFC 3339. */
  time: string;
  datacontenttype: "application/json";
  /** Ties together everything caused by one request; extension attribute (lowercase alphanumeric, per CloudEvents). */
  correlationid?: string;
  /**
   * CloudEvents distributed tracing extension: the W3C trace context the event was created in (a request's span, or
   * the consumer span of the event that caused it), so everything one checkout causes stays in one trace.
   */
  traceparent?: string;
  tracestate?: string;
  data: T;
}

/** A known event, typed by its type. */
export type EventOf<K extends EventType> = EventEnvelope<EventData<K>, K>;
/** Any known event; narrows on `type`. */
export type AnyEvent = { [K in EventType]: EventOf<K> }[EventType];

/** The envelope's attributes; `data` is checked against its type's schema separately. */
export const envelopeSchema = z.object({
  specversion: z.literal("1.0"),
  id: z.uuid(),
  source: z.string().min(1),
  type: z.string().min(1),
  subject: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal("application/json"),
  correlationid: z.string().min(1).max(200).optional(),
  // a broken trace context loses the event its trace, never the event itself: dropped, not dead-lettered
  traceparent: z
    .string()
    .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .optional()
    .catch(undefined)
    .describe("W3C trace context the event was created in (CloudEvents distributed tracing extension)."),
  tracestate: z.string().max(512).optional().catch(undefined).describe("W3C tracestate that goes with traceparent."),
  data: z.unknown(),
});

export interface CreateEventInput<K extends EventType> {
  type: K;
  source: string;
  data: EventDataInput<K>;
  /** Defaults to the type's subject (order id / payment id). */
  subject?: string;
  correlationId?: string;
  id?: string;
  time?: Date | string;
}

/** A new event of a known type; its data is validated now, so an invalid event never reaches the outbox. */
export function createEvent<K extends EventType>(input: CreateEventInput<K>): EventOf<K> {
  const definition: EventDefinition = eventDefinition(input.type as string);
  const data = parseData(definition, input.data);
  const event = {
    specversion: "1.0",
    id: input.id ?? randomUUID(),
    source: input.source,
    type: input.type,
    subject: input.subject ?? definition.subject(data),
    time: input.time instanceof Date ? input.time.toISOString() : (input.time ?? new Date().toISOString()),
    datacontenttype: "application/json",
    ...(input.correlationId === undefined ? {} : { correlationid: input.correlationId }),
    ...traceHeaders(),
    data,
  };
  const attributes = envelopeSchema.safeParse(event);
  if (!attributes.success) throw new MalformedEventError(`invalid ${input.type} envelope: ${describeIssues(attributes.error)}`);
  return event as EventOf<K>;
}

/**
 * Reads an event off the wire: JSON, CloudEvents attributes, a known type and data matching that type's schema.
 * Anything else throws MalformedEventError (permanent: the consumer dead-letters it).
 */
export function parseEnvelope(input: string | Uint8Array): AnyEvent {
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MalformedEventError(`not JSON: ${(error as Error).message}`);
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new MalformedEventError(`not a CloudEvents 1.0 envelope: ${describeIssues(envelope.error)}`);
  const { type } = envelope.data;
  if (!isEventType(type)) throw new MalformedEventError(`unknown event type ${JSON.stringify(type)}`);
  const data = parseData(eventDefinition(type as string), envelope.data.data);
  const { correlationid, traceparent, tracestate, ...attributes } = envelope.data;
  return {
    ...attributes,
    ...(correlationid === undefined ? {} : { correlationid }),
    ...(traceparent === undefined ? {} : { traceparent, ...(tracestate === undefined ? {} : { tracestate }) }),
    data,
  } as AnyEvent;
}

/** Serializes an event for the bus (structured-mode CloudEvents JSON). */
export function serializeEvent(event: EventEnvelope): string {
  return JSON.stringify(event);
}

function parseData(definition: EventDefinition, data: unknown): unknown {
  const result = definition.data.safeParse(data);
  if (!result.success) throw new MalformedEventError(`data does not match ${definition.type}: ${describeIssues(result.error)}`);
  return result.data;
}

/** One line, for logs and the dead-letter reason header. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`).join("; ");
}
