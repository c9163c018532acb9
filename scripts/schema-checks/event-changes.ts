// What changed in the event catalogue's JSON Schemas (packages/events/schemas/<type>.json), graded for consumers.
// Events stay in Kafka topics after they are written, so a change must suit both sides: consumers on the old schema
// reading new events, and consumers on the new schema reading events already published. Hence removing a property,
// adding a required one, making one required or optional, and changing a type are breaking; adding an optional
// property is safe. The schemas are the subset zod's JSON Schema export writes: objects, arrays, scalars, const, enum.
import type { Change, Level } from "./changes.ts";

type JsonSchema = Record<string, unknown>;

const isSchema = (value: unknown): value is JsonSchema => typeof value === "object" && value !== null && !Array.isArray(value);
const typesOf = (schema: JsonSchema): string[] => [schema.type ?? []].flat().map(String).sort();
const requiredOf = (schema: JsonSchema): Set<string> => new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
const propertiesOf = (schema: JsonSchema): Record<string, unknown> => (isSchema(schema.properties) ? schema.properties : {});
const json = (value: unknown) => JSON.stringify(value);

/** Keywords compared structurally below; any other keyword that changes is reported as a changed constraint. */
const structural = new Set([
  "type",
  "properties",
  "required",
  "items",
  "const",
  "enum",
  "description",
  "title",
  "$id",
  "$schema",
  "x-topic",
]);

/** The changes from `before` to `after` of one event type's schema; `null` for a type that is absent on that side. */
export function eventSchemaChanges(eventType: string, before: unknown, after: unknown): Change[] {
  const changes: Change[] = [];
  const where = `event ${eventType}`;
  const add = (level: Level, path: string, kind: string, message: string) =>
    changes.push({ level, coordinate: path ? `${eventType}#${path}` : eventType, message, where, kind });

  if (!isSchema(before) && isSchema(after)) add("safe", "", "EVENT_TYPE_ADDED", `Event type '${eventType}' was added`);
  if (isSchema(before) && !isSchema(after)) {
    add("breaking", "", "EVENT_TYPE_REMOVED", `Event type '${eventType}' was removed: its consumers no longer receive it`);
  }
  if (isSchema(before) && isSchema(after)) compare(before, after, "");
  return changes;

  function compare(old: JsonSchema, now: JsonSchema, path: string): void {
    const label = path || "the event";
    const [oldTypes, newTypes] = [typesOf(old), typesOf(now)];
    if (json(oldTypes) !== json(newTypes)) {
      add(
        "breaking",
        path,
        "TYPE_CHANGED",
        `Type of '${label}' changed from ${oldTypes.join(" | ") || "any"} to ${newTypes.join(" | ") || "any"}`,
      );
      return; // what lies below a changed type is a different value altogether
    }
    if (json(old.const) !== json(now.const)) {
      add("breaking", path, "CONST_CHANGED", `Value of '${label}' changed from ${json(old.const)} to ${json(now.const)}`);
    }
    compareEnums(old, now, path, label);
    compareProperties(old, now, path);
    if (isSchema(old.items) && isSchema(now.items)) compare(old.items, now.items, `${path}[]`);
    if (old.description !== now.description) add("safe", path, "DESCRIPTION_CHANGED", `Description of '${label}' changed`);
    const keywords = new Set([...Object.keys(old), ...Object.keys(now)].filter((keyword) => !structural.has(keyword)));
    for (const keyword of [...keywords].sort()) {
      if (json(old[keyword]) === json(now[keyword])) continue;
      add(
        "dangerous",
        path,
        "CONSTRAINT_CHANGED",
        `'${keyword}' of '${label}' changed from ${json(old[keyword])} to ${json(now[keyword])}`,
      );
    }
  }

  function compareEnums(old: JsonSchema, now: JsonSchema, path: string, label: string): void {
    if (!Array.isArray(old.enum) && !Array.isArray(now.enum)) return;
    const oldValues = ((old.enum ?? []) as unknown[]).map(json);
    const newValues = ((now.enum ?? []) as unknown[]).map(json);
    for (const value of oldValues) {
      if (!newValues.includes(value)) {
        add("breaking", path, "ENUM_VALUE_REMOVED", `Value ${value} was removed from '${label}': events already published may carry it`);
      }
    }
    for (const value of newValues) {
      if (!oldValues.includes(value)) {
        add(
          "dangerous",
          path,
          "ENUM_VALUE_ADDED",
          `Value ${value} was added to '${label}': consumers must handle a value they do not know`,
        );
      }
    }
  }

  function compareProperties(old: JsonSchema, now: JsonSchema, path: string): void {
    const [oldProperties, newProperties] = [propertiesOf(old), propertiesOf(now)];
    const [oldRequired, newRequired] = [requiredOf(old), requiredOf(now)];
    const at = (name: string) => (path ? `${path}.${name}` : name);
    for (const name of Object.keys(oldProperties)) {
      if (!(name in newProperties)) {
        add("breaking", at(name), "PROPERTY_REMOVED", `Property '${at(name)}' was removed: consumers that read it find nothing`);
      }
    }
    for (const name of Object.keys(newProperties)) {
      if (name in oldProperties) continue;
      if (newRequired.has(name)) {
        add("breaking", at(name), "REQUIRED_PROPERTY_ADDED", `Required property '${at(name)}' was added: events already published lack it`);
      } else {
        add("safe", at(name), "OPTIONAL_PROPERTY_ADDED", `Optional property '${at(name)}' was added`);
      }
    }
    for (const name of Object.keys(newProperties)) {
      const [before, after] = [oldProperties[name], newProperties[name]];
      if (!isSchema(before) || !isSchema(after)) continue;
      if (oldRequired.has(name) && !newRequired.has(name)) {
        add("breaking", at(name), "PROPERTY_MADE_OPTIONAL", `Property '${at(name)}' is no longer required: consumers may find it absent`);
      }
      if (!oldRequired.has(name) && newRequired.has(name)) {
        add("breaking", at(name), "PROPERTY_MADE_REQUIRED", `Property '${at(name)}' became required: events already published may lack it`);
      }
      compare(before, after, at(name));
    }
  }
}
