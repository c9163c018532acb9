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
export { canAccessUser, type Role, requireAdmin, requireSelfOrAdmin, requireViewer, roles, scopesOf, type Viewer } from "./viewer.ts";
