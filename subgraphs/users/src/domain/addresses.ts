import { ErrorCode } from "@storefront/errors";

/** How many addresses one address book holds. */
export const MAX_ADDRESSES_PER_USER = 20;

/** What a client sends for an address. */
export interface AddressInput {
  readonly recipientName: string;
  readonly line1: string;
  readonly line2?: string | null;
  readonly city: string;
  readonly region?: string | null;
  readonly postalCode: string;
  readonly countryCode: string;
  readonly phone?: string | null;
}

/** An address as it is stored: trimmed, empty optional parts as null, country upper-cased. */
export interface AddressFields {
  readonly recipientName: string;
  readonly line1: string;
  readonly line2: string | null;
  readonly city: string;
  readonly region: string | null;
  readonly postalCode: string;
  readonly countryCode: string;
  readonly phone: string | null;
}

const CONTROL_CHARACTERS = /\p{Cc}/u;
const PHONE = /^\+?[0-9 ()-]{3,30}$/;
const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
// ICU also names groupings and reserved codes; they are not places a parcel can go.
const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "ZZ", "UK"]);

const badInput = (field: string, message: string) => ErrorCode.BAD_USER_INPUT.err(message, { extensions: { argument: `input.${field}` } });

function text(field: string, raw: string, max: number): string {
  const value = raw.trim();
  if (value.length === 0) throw badInput(field, `${field} must not be empty.`);
  if ([...value].length > max) throw badInput(field, `${field} has at most ${max} characters.`);
  if (CONTROL_CHARACTERS.test(value)) throw badInput(field, `${field} cannot contain control characters.`);
  return value;
}

function optionalText(field: string, raw: string | null | undefined, max: number): string | null {
  return raw == null || raw.trim() === "" ? null : text(field, raw, max);
}

/** True for an ISO 3166-1 alpha-2 code of a country or territory. */
export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.has(code) && regionNames.of(code) !== undefined;
}

/** Checks every field of an address; BAD_USER_INPUT names the first bad one as `input.<field>`. */
export function validAddress(input: AddressInput): AddressFields {
  const recipientName = text("recipientName", input.recipientName, 100);
  const line1 = text("line1", input.line1, 200);
  const line2 = optionalText("line2", input.line2, 200);
  const city = text("city", input.city, 100);
  const region = optionalText("region", input.region, 100);
  const postalCode = text("postalCode", input.postalCode, 20);
  const countryCode = input.countryCode.trim().toUpperCase();
  if (!isCountryCode(countryCode)) throw badInput("countryCode", "countryCode is not an ISO 3166-1 alpha-2 country code, e.g. DE.");
  const phone = optionalText("phone", input.phone, 30);
  if (phone !== null && !PHONE.test(phone)) throw badInput("phone", "phone may contain only digits, spaces and + - ( ).");
  return { recipientName, line1, line2, city, region, postalCode, countryCode, phone };
}
