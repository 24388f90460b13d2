// lib/tokens: signed access and refresh tokens (EdDSA JWTs with a kid), their verification with a
// cache, and a revocation list every process holds in memory. No component names: the issuer and
// the verifier pass their own policy.

export {
  type Revocation,
  RevocationList,
  type RevocationListOptions,
} from "./revocation-list.ts";
export {
  generateSigningKeyJwk,
  loadOrCreateSigningKeys,
  parseSigningKeys,
  type SigningKey,
  SigningKeyError,
  type SigningKeys,
  TOKEN_ALGORITHM,
} from "./signing-keys.ts";
export {
  CachingVerifier,
  type CachingVerifierOptions,
} from "./token-verifier.ts";
export {
  type IssuedToken,
  isTokenRejectedError,
  type KeyResolver,
  keyResolver,
  MAX_TOKEN_LENGTH,
  signToken,
  type TokenClaims,
  type TokenPolicy,
  TokenRejectedError,
  type TokenType,
  verifyToken,
} from "./tokens.ts";
