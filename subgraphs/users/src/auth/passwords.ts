import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

// scrypt, from Node's own crypto: memory-hard (every guess needs 32 MiB, which is what makes GPU
// and ASIC cracking expensive), on OWASP's list of password hashes, and built in, so there is no
// native add-on to compile or download on a bare machine. Argon2id would be the first choice but
// has no implementation in Node's standard library. Parameters are OWASP's scrypt equivalent
// N=2^15, r=8, p=3; they are stored with every hash (PHC string format), so raising them later
// re-hashes each password at its owner's next sign-in.

/** scrypt's cost parameters: N = 2^ln (CPU/memory), r (block size), p (parallelism). */
export interface ScryptParameters {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

export const currentParameters: ScryptParameters = { ln: 15, r: 8, p: 3 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;

// $scrypt$ln=15,r=8,p=3$<salt>$<hash>, base64 without padding as the PHC format has it.
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{16,})$/;

const b64 = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");

function derive(password: string, salt: Buffer, { ln, r, p }: ScryptParameters, keyBytes: number): Promise<Buffer> {
  const N = 2 ** ln;
  return new Promise((resolve, reject) => {
    // maxmem above scrypt's 128·N·r bytes, which Node's default (32 MiB) would just refuse.
    scrypt(password, salt, keyBytes, { N, r, p, maxmem: 2 * 128 * N * r }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

interface ParsedHash {
  readonly parameters: ScryptParameters;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function parse(stored: string): ParsedHash | null {
  const match = PHC.exec(stored);
  if (!match) return null;
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Bounds keep a corrupted row from asking for gigabytes of memory.
  if (ln < 10 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  return { parameters: { ln, r, p }, salt: Buffer.from(match[4] ?? "", "base64"), hash: Buffer.from(match[5] ?? "", "base64") };
}

/** A PHC-format scrypt hash of the password with a fresh random salt. */
export async function hashPassword(password: string, parameters: ScryptParameters = currentParameters): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, parameters, KEY_BYTES);
  return `$scrypt$ln=${parameters.ln},r=${parameters.r},p=${parameters.p}$${b64(salt)}$${b64(hash)}`;
}

/** True when the password matches the stored hash; compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.parameters, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/**
 * Spends the time a real check would and answers false: used when the account does not exist or
 * has no password, so response times do not tell which e-mail addresses have accounts.
 */
export async function verifyAgainstNoAccount(password: string): Promise<false> {
  await derive(password, randomBytes(SALT_BYTES), currentParameters, KEY_BYTES);
  return false;
}

/** True when the hash was made with other parameters than today's and should be replaced. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return (
    parsed === null ||
    parsed.parameters.ln !== currentParameters.ln ||
    parsed.parameters.r !== currentParameters.r ||
    parsed.parameters.p !== currentParameters.p
  );
}
