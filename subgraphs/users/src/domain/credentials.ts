import { ErrorCode } from "@storefront/errors";

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;
export const NAME_MAX_LENGTH = 100;
const EMAIL_MAX_LENGTH = 254;

// The EmailAddress scalar's rule (graphql-scalars), so every stored address serializes, plus a dot in
// the domain: a shop has no use for `someone@localhost`.
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;
const CONTROL_CHARACTERS = /\p{Cc}/u;

const badInput = (argument: string, message: string) => ErrorCode.BAD_USER_INPUT.err(message, { extensions: { argument } });

/** Characters as a person counts them (code points, not UTF-16 units). */
const lengthOf = (text: string) => [...text].length;

/** How e-mail addresses are stored and compared: trimmed and lower-cased. */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** The normalized address, or BAD_USER_INPUT naming `argument`. */
export function validEmail(raw: string, argument: string): string {
  const email = normalizeEmail(raw);
  if (email.length > EMAIL_MAX_LENGTH || !EMAIL.test(email)) throw badInput(argument, "This is not an e-mail address.");
  return email;
}

/** NFKC, as NIST SP 800-63B advises: the same password typed on another keyboard or OS still matches. */
export function normalizePassword(raw: string): string {
  return raw.normalize("NFKC");
}

/** A password good enough to set: 10 to 200 characters and not the account's e-mail address. */
export function validNewPassword(raw: string, email: string, argument: string): string {
  const password = normalizePassword(raw);
  const length = lengthOf(password);
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw badInput(argument, `A password has ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`);
  }
  if (normalizeEmail(password) === normalizeEmail(email)) throw badInput(argument, "The password must not be your e-mail address.");
  return password;
}

/** A display name: trimmed, 1 to 100 characters, no control characters. */
export function validName(raw: string, argument: string): string {
  const name = raw.trim();
  if (lengthOf(name) < 1 || lengthOf(name) > NAME_MAX_LENGTH) throw badInput(argument, `A name has 1 to ${NAME_MAX_LENGTH} characters.`);
  if (CONTROL_CHARACTERS.test(name)) throw badInput(argument, "A name cannot contain control characters.");
  return name;
}
