// Shared set-up of the pay and refund specifications: the subgraph on its own database with a simulator whose calls they count.
import { randomUUID } from "node:crypto";
import type { Viewer } from "@storefront/auth";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import type { PaymentProvider } from "../src/domain/provider.ts";
import { createSimulatedPaymentProvider, createSimulatorLedger, paymentsSubgraph, type SimulatedPaymentProvider } from "../src/index.ts";
import { createPaymentsSubgraph } from "../src/server.ts";

export const cards = {
  approve: "4242424242424242",
  decline: "4000000000000002",
  insufficientFunds: "4000000000009995",
  processorTimeout: "4000000000000119",
} as const;

export const PAY = `mutation($input: PayOrderInput!) {
  payOrder(input: $input) {
    payment { id status amount { amount currency } card { brand last4 } refundedAmount { amount } }
    failure { code reason message }
  }
}`;

export const REFUND = `mutation($input: RefundPaymentInput!) {
  refundPayment(input: $input) { id amount { amount currency } reason payment { id status refundedAmount { amount } } }
}`;

export type PayOrder = {
  payOrder: {
    payment: {
      id: string;
      status: string;
      amount: { amount: number; currency: string };
      card: { brand: string; last4: string } | null;
      refundedAmount: { amount: number };
    };
    failure: { code: string; reason: string; message: string } | null;
  };
};

export type RefundPayment = {
  refundPayment: {
    id: string;
    amount: { amount: number; currency: string };
    reason: string;
    payment: { id: string; status: string; refundedAmount: { amount: number } };
  };
};

export const aCustomer = (): Viewer => ({ userId: randomUUID(), role: "CUSTOMER", scopes: [] });
export const anAdmin = (): Viewer => ({ userId: randomUUID(), role: "ADMIN", scopes: ["admin"] });

/** payOrder's input: a valid card (the approving one unless given) and a fresh idempotency key unless given. */
export function payInput(
  orderId: string,
  overrides: { card?: string; idempotencyKey?: string; currency?: string; cvc?: string; expiryYear?: number } = {},
) {
  return {
    orderId,
    method: {
      cardNumber: overrides.card ?? cards.approve,
      expiryMonth: 12,
      expiryYear: overrides.expiryYear ?? 2099,
      cvc: overrides.cvc ?? "123",
    },
    idempotencyKey: overrides.idempotencyKey ?? randomUUID(),
    ...(overrides.currency ? { currency: overrides.currency } : {}),
  };
}

export interface PaymentsUnderTest {
  readonly sub: TestSubgraph<PrismaClient>;
  readonly simulator: SimulatedPaymentProvider;
}

/**
 * The payments subgraph with a simulator (its books in the subgraph's test database) whose processor timeout takes
 * `timeoutMs` (a few milliseconds unless given), optionally wrapped, e.g. to act mid-payment.
 */
export async function startPayments(
  wrap: (simulator: SimulatedPaymentProvider) => PaymentProvider = (simulator) => simulator,
  { timeoutMs = 5 }: { timeoutMs?: number } = {},
): Promise<PaymentsUnderTest> {
  let simulator: SimulatedPaymentProvider | undefined;
  const sub = await startTestSubgraph({
    ...paymentsSubgraph,
    create: (deps) => {
      simulator = createSimulatedPaymentProvider({ ledger: createSimulatorLedger(deps.prisma), timeoutMs });
      return createPaymentsSubgraph({ ...deps, provider: wrap(simulator) });
    },
  });
  if (!simulator) throw new Error("the subgraph was created without its simulator");
  return { sub, simulator };
}

/** The events an order's payments wrote to the outbox, oldest first: type and data. */
export async function outboxOf(prisma: PrismaClient, orderId: string) {
  const rows = await prisma.outboxEvent.findMany({ where: { key: orderId }, orderBy: { seq: "asc" } });
  return rows.map((row) => {
    const event = row.payload as { type: string; data: Record<string, unknown> };
    return { type: event.type, data: event.data };
  });
}
