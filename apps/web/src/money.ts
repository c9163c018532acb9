// Money arrives as integer minor units plus an ISO 4217 currency; the currency says how many minor units make one.

export interface Money {
  readonly amount: number;
  readonly currency: string;
}

const formats = new Map<string, Intl.NumberFormat>();

function currencyFormat(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: "currency", currency });
    formats.set(currency, format);
  }
  return format;
}

/** The currency's minor unit digits: 2 for EUR, 0 for JPY, 3 for BHD. */
export const minorDigits = (currency: string): number => currencyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;

/** 19900 EUR → "€199.00" (in the reader's locale). */
export function formatMoney(money: Money): string {
  return currencyFormat(money.currency).format(money.amount / 10 ** minorDigits(money.currency));
}

/** "199.5" EUR → 19950; null for text that is not an amount with at most the currency's digits. */
export function parseMoney(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const match = /^(\d+)(?:[.,](\d*))?$/.exec(text.trim());
  if (!match) return null;
  const [, whole = "0", fraction = ""] = match;
  if (fraction.length > digits) return null;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}

/** 19950 EUR → "199.50", for an input field. */
export const moneyInputValue = (money: Money): string =>
  (money.amount / 10 ** minorDigits(money.currency)).toFixed(minorDigits(money.currency));
