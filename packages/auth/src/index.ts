export {
  createServiceTokenSource,
  SERVICE_SECRET_MIN_LENGTH,
  type ServiceClient,
  type ServiceTokenSourceOptions,
  type ServiceTokens,
  serviceClientIds,
  serviceClientOf,
  serviceScopes,
} from "./service-clients.ts";
export {
  type AccessTokenSigner,
  generateSigningKeyPair,
  importAccessTokenSigner,
  type SignedAccessToken,
  type SigningKeyPair,
  signAccessToken,
  signServiceToken,
} from "./signing.ts";
export {
  type AccessTokenClaims,
  accessTokenContract,
  bearerToken,
  createAccessTokenVerifier,
  type TokenRejection,
  type VerifierOptions,
  type VerifyAccessToken,
  viewerFromAuthorization,
} from "./tokens.ts";
export {
  canAccessUser,
  type Role,
  requireAdmin,
  requireScopes,
  requireSelfOrAdmin,
  requireViewer,
  roles,
  scopesOf,
  type Viewer,
} from "./viewer.ts";
