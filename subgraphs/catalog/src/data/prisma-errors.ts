import { Prisma } from "./generated/client.ts";

/** The Prisma error code of a failed query (P2002 unique violation, P2003 foreign key, P2025 no such row), if any. */
export function prismaErrorCode(error: unknown): string | null {
  return error instanceof Prisma.PrismaClientKnownRequestError ? error.code : null;
}
