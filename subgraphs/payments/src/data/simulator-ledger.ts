import type { PrismaClient, SimulatorPayment } from "./generated/client.ts";

/** What the simulated provider knows of one attempt (SimulatorPayment in prisma/payments/schema.prisma). */
export type SimulatorEntry = SimulatorPayment;

export type NewSimulatorEntry = Pick<
  SimulatorPayment,
  "paymentId" | "amount" | "currency" | "status" | "authorizationReference" | "failureReason" | "failureMessage" | "settlesAt"
>;

/**
 * The simulated provider's books, kept in payments' database so that they outlive a payments crash the way a real
 * provider's do. Every write is a single statement: the simulator never joins a payments transaction.
 */
export function createSimulatorLedger(prisma: PrismaClient) {
  return {
    /** Records an attempt the first time it is seen; the first record stands, so a repeated authorize answers the same. */
    async open(entry: NewSimulatorEntry): Promise<SimulatorEntry> {
      await prisma.simulatorPayment.createMany({ data: [entry], skipDuplicates: true });
      return prisma.simulatorPayment.findUniqueOrThrow({ where: { paymentId: entry.paymentId } });
    },

    find: (paymentId: string): Promise<SimulatorEntry | null> => prisma.simulatorPayment.findUnique({ where: { paymentId } }),

    /** Charges an authorization once: only an AUTHORIZED entry becomes CAPTURED. The entry as it is now; null for an unknown one. */
    async capture(authorizationReference: string, captureReference: string, at: Date): Promise<SimulatorEntry | null> {
      await prisma.simulatorPayment.updateMany({
        where: { authorizationReference, status: "AUTHORIZED" },
        data: { status: "CAPTURED", captureReference, capturedAt: at },
      });
      return prisma.simulatorPayment.findUnique({ where: { authorizationReference } });
    },
  };
}

export type SimulatorLedger = ReturnType<typeof createSimulatorLedger>;
