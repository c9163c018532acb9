import { parseEnv } from "@storefront/service";
import { z } from "zod";

/** The payments subgraph's own settings (besides every subgraph's), read once; each `describe` is its documentation. */
export const paymentsSettingsShape = {
  PAYMENT_RECONCILE_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60 * 60)
    .default(30)
    .describe(
      "How long a payment attempt may wait for the provider's answer (PENDING or AUTHORIZED, e.g. after a crash of payments) before it is settled from the provider's records: charged there, it becomes CAPTURED and the order PAID; declined, failed or never received there, it becomes FAILED and the order can be paid again.",
    ),
  PAYMENT_RECONCILE_EVERY_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(60 * 60)
    .default(15)
    .describe(
      "How often payments looks for attempts waiting longer than PAYMENT_RECONCILE_AFTER_SECONDS: an interrupted payment settles within the sum of both (45 s by default) once the provider has an answer.",
    ),
  PAYMENT_SIMULATOR_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10 * 60_000)
    .default(2_000)
    .describe(
      "How long the built-in payment simulator's processor-timeout test card (4000 0000 0000 0119) keeps an attempt at the processor before it fails with processing_error; nothing is charged.",
    ),
};

export type PaymentsSettings = ReturnType<typeof paymentsSettingsFromEnv>;

export function paymentsSettingsFromEnv(env: Record<string, string | undefined> = process.env) {
  return parseEnv("payments", paymentsSettingsShape, env);
}
