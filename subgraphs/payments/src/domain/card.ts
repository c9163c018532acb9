import { ErrorCode } from "@storefront/errors";
import type { CardDetails } from "./provider.ts";

/** What the shop keeps of a card. */
export interface CardSummary {
  readonly brand: "visa" | "mastercard" | "amex" | "unknown";
  readonly last4: string;
}

export interface PaymentMethodInput {
  readonly cardNumber: string;
  readonly expiryMonth: number;
  readonly expiryYear: number;
  readonly cvc: string;
}

/**
 * Checks a card's format (not whether it is good: that is the provider's call) and returns it normalized.
 * The Luhn checksum is a typo guard, not a security control, so it is written here rather than pulled in.
 */
export function parseCard(input: PaymentMethodInput, now: Date = new Date()): CardDetails {
  const number = input.cardNumber.replace(/ /g, "");
  if (!/^[0-9]{12,19}$/.test(number)) throw ErrorCode.BAD_USER_INPUT.err("cardNumber must be 12 to 19 digits.");
  if (!passesLuhn(number)) throw ErrorCode.BAD_USER_INPUT.err("cardNumber is not a valid card number (check the digits).");
  const { expiryMonth, expiryYear } = input;
  if (!Number.isInteger(expiryMonth) || expiryMonth < 1 || expiryMonth > 12)
    throw ErrorCode.BAD_USER_INPUT.err("expiryMonth must be 1 to 12.");
  if (!Number.isInteger(expiryYear) || expiryYear < 1000 || expiryYear > 9999)
    throw ErrorCode.BAD_USER_INPUT.err("expiryYear must have four digits.");
  const thisMonth = now.getUTCFullYear() * 12 + now.getUTCMonth();
  if (expiryYear * 12 + (expiryMonth - 1) < thisMonth) throw ErrorCode.BAD_USER_INPUT.err("The card has expired.");
  if (!/^[0-9]{3,4}$/.test(input.cvc)) throw ErrorCode.BAD_USER_INPUT.err("cvc must be 3 or 4 digits.");
  return { number, expiryMonth, expiryYear, cvc: input.cvc };
}

/** The brand and last four digits: all that is ever stored of a card. */
export function summarizeCard(card: CardDetails): CardSummary {
  return { brand: brandOf(card.number), last4: card.number.slice(-4) };
}

function brandOf(number: string): CardSummary["brand"] {
  if (number.startsWith("4")) return "visa";
  if (/^3[47]/.test(number)) return "amex";
  const six = Number(number.slice(0, 6));
  if (/^5[1-5]/.test(number) || (six >= 222100 && six <= 272099)) return "mastercard";
  return "unknown";
}

function passesLuhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i += 1) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
