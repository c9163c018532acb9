import { parseEnv } from "@storefront/service";
import { z } from "zod";

/** The inventory subgraph's own settings (besides every subgraph's), read once; each `describe` is its documentation. */
export const inventorySettingsShape = {
  ORPHAN_HOLD_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60 * 60)
    .default(900)
    .describe(
      "How long stock held for a checkout waits for its order to be confirmed (orders' order.placed) or claimed again (a retry with the same key) before inventory asks orders whether the order exists; a hold whose order orders does not know is then released (ledger reason order_never_placed). Keep it well above how long a checkout takes.",
    ),
  ORPHAN_HOLD_SWEEP_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(60 * 60)
    .default(60)
    .describe("How often inventory looks for holds older than ORPHAN_HOLD_SECONDS that nobody confirmed."),
};

export type InventorySettings = ReturnType<typeof inventorySettingsFromEnv>;

export function inventorySettingsFromEnv(env: Record<string, string | undefined> = process.env) {
  return parseEnv("inventory", inventorySettingsShape, env);
}
