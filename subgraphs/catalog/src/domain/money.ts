import { ErrorCode } from "@storefront/errors";

/**
 * The currencies the shop sells in. ISO 4217 knows many more (the CurrencyCode scalar accepts them all), but a
 * price in, say, XAU (gold) could never be paid: the shop's payment provider settles these.
 */
export const supportedCurrencies: readonly string[] = ["EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK"];

/** A price as the catalog stores it: whole minor units of a supported currency. */
export interface Price {
  readonly amount: number;
  readonly currency: string;
}

/** Checks a price an admin set; `argument` is where it sits in the mutation's arguments, e.g. `input.price`. */
export function validatePrice(price: { readonly amount: number; readonly currency: string }, argument: string): Price {
  // GraphQL's Int already refuses fractions and values beyond 32 bits; this guards the rest.
  if (!Number.isSafeInteger(price.amount) || price.amount < 0) {
    throw ErrorCode.BAD_USER_INPUT.err(`${argument}.amount must be a whole number of minor units, 0 or more (1999 for 19.99).`, {
      extensions: { argument: `${argument}.amount` },
    });
  }
  if (!supportedCurrencies.includes(price.currency)) {
    throw ErrorCode.BAD_USER_INPUT.err(
      `${argument}.currency ${price.currency} is not sold in; use one of ${supportedCurrencies.join(", ")}.`,
      {
        extensions: { argument: `${argument}.currency` },
      },
    );
  }
  return { amount: price.amount, currency: price.currency };
}
