// What a failed operation means to a shopper, from the error's stable extensions.code (see the README's error table).
import type { CombinedError } from "urql";

type Extensions = Readonly<Record<string, unknown>>;

/** Text per code; a function gets the error's extensions and message. Pages pass their own for codes they expect. */
export type ErrorTexts = Readonly<Record<string, string | ((extensions: Extensions, message: string) => string)>>;

const defaultTexts: ErrorTexts = {
  // The API's messages for these name the field and the rule, for people.
  BAD_USER_INPUT: (_, message) => message,
  CONFLICT: (_, message) => message,
  UNAUTHENTICATED: "Your session has ended. Please sign in again.",
  FORBIDDEN: "You are not allowed to do that.",
  NOT_FOUND: "We could not find that.",
  OUT_OF_STOCK: (extensions) =>
    typeof extensions.available === "number"
      ? `Not enough stock: only ${extensions.available} available.`
      : "Not enough stock for that quantity.",
  PAYMENT_DECLINED: "The card was declined. Try another card.",
  RATE_LIMITED: (extensions) =>
    `Too many attempts. Try again in ${typeof extensions.retryAfterSeconds === "number" ? `${extensions.retryAfterSeconds} seconds` : "a while"}.`,
  SERVICE_UNAVAILABLE: (extensions) =>
    `Part of the shop${typeof extensions.service === "string" ? ` (${extensions.service})` : ""} is not answering right now. Try again in a moment.`,
};

export interface DescribedError {
  /** The first error's extensions.code, or NETWORK_ERROR when no answer arrived. */
  readonly code: string;
  readonly text: string;
}

export function describeError(error: CombinedError, texts: ErrorTexts = {}): DescribedError {
  const first = error.graphQLErrors[0];
  if (!first) {
    return { code: "NETWORK_ERROR", text: "The shop cannot be reached. Check your connection and try again." };
  }
  const code = typeof first.extensions.code === "string" ? first.extensions.code : "INTERNAL_SERVER_ERROR";
  const text = texts[code] ?? defaultTexts[code];
  if (typeof text === "function") return { code, text: text(first.extensions, first.message) };
  return { code, text: text ?? `Something went wrong (${code}). Please try again.` };
}

/** The error of an operation, announced to screen readers; nothing when there is none. */
export function ErrorMessage({ error, texts }: { readonly error: CombinedError | undefined; readonly texts?: ErrorTexts }) {
  if (!error) return null;
  const { code, text } = describeError(error, texts);
  return (
    <p className="error" role="alert" data-code={code}>
      {text}
    </p>
  );
}
