import { type AccessTokenSigner, generateSigningKeyPair, importAccessTokenSigner } from "@storefront/auth";
import type { JWK } from "jose";
import type { PublishedSigningKey, SigningKeyRecord } from "../data/records.ts";
import type { SigningKeyStore } from "../data/signing-key-store.ts";

/** How long a replica keeps signing with the key it loaded before it looks for a newer one. */
export const ACTIVE_KEY_CACHE_SECONDS = 30;
/** Slack for clocks that differ between signer and verifiers. */
const CLOCK_SKEW_SECONDS = 60;

export interface KeyRingSettings {
  readonly accessTokenTtlSeconds: number;
}

/** The published key set: public halves only. */
export interface JsonWebKeySet {
  readonly keys: JWK[];
}

/**
 * The signing keys as this replica uses them: the active key (created on first use when the
 * database has none), rotation, and the JWKS verifiers fetch. A retired key stays published until
 * every token it can have signed has expired, counting the time other replicas may still sign with
 * it before they notice the rotation.
 */
export function createKeyRing(store: SigningKeyStore, settings: KeyRingSettings) {
  let cached: { signer: Promise<AccessTokenSigner>; loadedAt: number } | null = null;
  const publishRetiredKeysForMs = (settings.accessTokenTtlSeconds + ACTIVE_KEY_CACHE_SECONDS + CLOCK_SKEW_SECONDS) * 1000;

  const signerOf = (row: Pick<SigningKeyRecord, "kid" | "privateJwk">) => {
    if (row.privateJwk === null) throw new Error(`signing key ${row.kid} has no private key`);
    return importAccessTokenSigner(row.kid, row.privateJwk as JWK);
  };

  async function loadActive(): Promise<AccessTokenSigner> {
    const row = (await store.activeKey()) ?? (await store.ensureActiveKey(await generateSigningKeyPair()));
    return signerOf(row);
  }

  /** The key to sign with now. */
  function signer(): Promise<AccessTokenSigner> {
    if (cached === null || Date.now() - cached.loadedAt > ACTIVE_KEY_CACHE_SECONDS * 1000) {
      const loading = loadActive();
      const entry = { signer: loading, loadedAt: Date.now() };
      cached = entry;
      // A failed load is not remembered: the next call tries again.
      loading.catch(() => {
        if (cached === entry) cached = null;
      });
      return loading;
    }
    return cached.signer;
  }

  /** Every key a verifier may meet in a token that has not expired yet, active first. */
  const publishedKeys = (): Promise<PublishedSigningKey[]> => store.publishedKeys(new Date(Date.now() - publishRetiredKeysForMs));

  return {
    signer,
    publishedKeys,

    /** Makes a new key active; tokens signed by the previous one keep verifying until they expire. */
    async rotate(): Promise<PublishedSigningKey> {
      const { privateJwk, ...published } = await store.rotate(await generateSigningKeyPair());
      cached = { signer: signerOf({ kid: published.kid, privateJwk }), loadedAt: Date.now() };
      return published;
    },

    /** The JWKS: the public halves of the published keys; creates the first key if there is none yet. */
    async jwks(): Promise<JsonWebKeySet> {
      let rows = await publishedKeys();
      if (!rows.some((row) => row.active)) {
        await signer();
        rows = await publishedKeys();
      }
      return { keys: rows.map((row) => row.publicJwk as JWK) };
    },
  };
}

export type KeyRing = ReturnType<typeof createKeyRing>;
