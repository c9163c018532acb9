import { parseEnv } from "@storefront/service";
import { z } from "zod";

/** The orders subgraph's own settings (besides every subgraph's), read once; each `describe` is its documentation. */
export const ordersSettingsShape = {
  PAYMENT_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(30)
    .describe("How long a customer has to pay after checkout; an order still unpaid then is cancelled and its stock released."),
};

export type OrdersSettings = ReturnType<typeof ordersSettingsFromEnv>;

export function ordersSettingsFromEnv(env: Record<string, string | undefined> = process.env) {
  return parseEnv("orders", ordersSettingsShape, env);
}
