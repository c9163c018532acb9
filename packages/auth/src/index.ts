export {
  type AccessTokenSigner,
  generateSigningKeyPair,
  importAccessTokenSigner,
  type SignedAccessToken,
  type SigningKeyPair,
  signAccessToken,
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
