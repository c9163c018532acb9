// What the users subgraph's resolvers receive as parents: rows as the database stores them.
import type { Address, SigningKey, User } from "./generated/client.ts";

/** An account without its password hash: the hash is read only where a password is checked. */
export type UserRecord = Omit<User, "passwordHash">;
export type AddressRecord = Address;
export type SigningKeyRecord = SigningKey;
/** A signing key as listed and published: never with its private half. */
export type PublishedSigningKey = Omit<SigningKey, "privateJwk">;

/** The columns of a user resolvers may see (Prisma `omit`). */
export const withoutPasswordHash = { passwordHash: true } as const;
