import { ErrorCode } from "@storefront/errors";

// Control characters (newlines, NUL, escapes) have no place in a one-line display name.
const CONTROL_CHARACTER = /\p{Cc}/u;

/** A one-line display name, trimmed: 1 to `max` characters without control characters. */
export function validateDisplayName(value: string, max: number, argument: string): string {
  const name = value.trim();
  if (name.length === 0) throw ErrorCode.BAD_USER_INPUT.err(`${argument} must not be empty.`, { extensions: { argument } });
  if (name.length > max) {
    throw ErrorCode.BAD_USER_INPUT.err(`${argument} must be at most ${max} characters (it has ${name.length}).`, {
      extensions: { argument },
    });
  }
  if (CONTROL_CHARACTER.test(name)) {
    throw ErrorCode.BAD_USER_INPUT.err(`${argument} must not contain control characters such as line breaks.`, {
      extensions: { argument },
    });
  }
  return name;
}

/** Free text of at most `max` characters (may be empty), trimmed. */
export function validateLongText(value: string, max: number, argument: string): string {
  const text = value.trim();
  if (text.length > max) {
    throw ErrorCode.BAD_USER_INPUT.err(`${argument} must be at most ${max} characters (it has ${text.length}).`, {
      extensions: { argument },
    });
  }
  return text;
}
