import { PrismaClientKnownRequestError } from "@prisma/client/runtime/client";

/**
 * A unique index refused a row. A model query reports it as P2002; a raw statement as P2010, whose driver-adapter
 * cause names the kind. Every subgraph's generated client throws the one runtime's error class.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof PrismaClientKnownRequestError)) return false;
  if (error.code === "P2002") return true;
  const cause = (error.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined)?.driverAdapterError?.cause;
  return error.code === "P2010" && cause?.kind === "UniqueConstraintViolation";
}
