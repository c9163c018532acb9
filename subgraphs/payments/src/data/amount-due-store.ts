import type { PaymentsTransaction } from "./records.ts";

/** What a placed order owes. */
export interface NewAmountDue {
  readonly orderId: string;
  readonly userId: string;
  readonly amount: number;
  readonly currency: string;
}

/** Amount-due writes, inside an event handler's transaction. */
export function createAmountDueStore(tx: PaymentsTransaction) {
  return {
    /** Records what an order owes; the first record of an order stands (true when this call recorded it). */
    async record(due: NewAmountDue): Promise<boolean> {
      const { count } = await tx.amountDue.createMany({ data: [due], skipDuplicates: true });
      return count === 1;
    },
  };
}
