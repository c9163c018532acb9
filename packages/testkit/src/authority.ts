import {
  createAccessTokenVerifier,
  generateSigningKeyPair,
  importAccessTokenSigner,
  type Role,
  type ServiceTokens,
  serviceClientOf,
  signAccessToken,
  signServiceToken,
  type VerifyAccessToken,
} from "@storefront/auth";

/** Signs and verifies tokens in tests the way the users subgraph and every verifier do, with a key of its own. */
export interface TestAuthority {
  /** Verifies tokens this authority signed (hand it to startTestSubgraph). */
  readonly verifyAccessToken: VerifyAccessToken;
  /** An access token for a user, as users would issue at sign-in. */
  tokenFor(user: { readonly userId: string; readonly role: Role }): Promise<string>;
  /** A service client's tokens with all of its registered scopes, or the given ones. */
  serviceTokens(clientId: string, scopes?: readonly string[]): ServiceTokens;
}

export async function createTestAuthority(): Promise<TestAuthority> {
  const pair = await generateSigningKeyPair();
  const signer = await importAccessTokenSigner(pair.kid, pair.privateJwk);
  return {
    verifyAccessToken: createAccessTokenVerifier({ jwks: { keys: [pair.publicJwk] } }),
    tokenFor: async (user) => (await signAccessToken(user, signer, { ttlSeconds: 600 })).token,
    serviceTokens(clientId, scopes) {
      const granted = scopes ?? serviceClientOf(clientId)?.scopes ?? [];
      return { clientId, token: async () => (await signServiceToken(clientId, granted, signer, { ttlSeconds: 600 })).token };
    },
  };
}
