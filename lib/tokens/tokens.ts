import { randomUUID } from "node:crypto";
import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import { type SigningKeys, TOKEN_ALGORITHM } from "./signing-keys.ts";

export type TokenType = "access" | "refresh";

/** Who tokens are from and for; both sides must agree on them. */
export interface TokenPolicy {
  readonly issuer: string;
  readonly audience: string;
  /** Clock skew tolerated on exp, nbf and iat, in seconds. */
  readonly leewaySeconds: number;
}

/** The claims of a verified token. */
export interface TokenClaims {
  readonly sub: string;
  readonly jti: string;
  readonly type: TokenType;
  readonly provider: string;
  /** The login a refresh token descends from; rotation keeps it, reuse revokes all of it. */
  readonly family: string;
  readonly iat: number;
  readonly exp: number;
}

export interface IssuedToken {
  readonly token: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/** TokenRejectedError is a token that is not ours, not valid, or not valid any more (HTTP 401). */
export class TokenRejectedError extends Error {
  override readonly name = "TokenRejectedError";
  constructor(
    readonly code: "INVALID_TOKEN" | "TOKEN_EXPIRED" | "TOKEN_TYPE_MISMATCH",
    message: string,
    /** Signed by a key the verifier does not know (yet): a rotation may have published it. */
    readonly unknownKey = false,
  ) {
    super(message);
  }
}

export function isTokenRejectedError(err: unknown): err is TokenRejectedError {
  return err instanceof Error && err.name === "TokenRejectedError";
}

/** KeyResolver finds a token's public key by its `kid` in a JWK Set. */
export type KeyResolver = ReturnType<typeof createLocalJWKSet>;

/** keyResolver makes the resolver of a JWK Set once, for many verifications. */
export function keyResolver(jwks: JSONWebKeySet): KeyResolver {
  return createLocalJWKSet(jwks);
}

/** Tokens longer than this are refused before any parsing: no honest token comes close. */
export const MAX_TOKEN_LENGTH = 4096;

/** signToken issues one token signed by the active key, with the contract's claims. */
export async function signToken(
  keys: SigningKeys,
  policy: TokenPolicy,
  claims: { sub: string; type: TokenType; provider: string; family: string; ttlSeconds: number },
): Promise<IssuedToken> {
  const jti = randomUUID();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + claims.ttlSeconds;
  const token = await new SignJWT({
    type: claims.type,
    provider: claims.provider,
    fam: claims.family,
  })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: keys.active.kid, typ: "JWT" })
    .setSubject(claims.sub)
    .setJti(jti)
    .setIssuer(policy.issuer)
    .setAudience(policy.audience)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .sign(keys.active.privateKey);
  return { token, jti, exp };
}

/**
 * verifyToken checks a token's signature (EdDSA only, so `none` and HS256 tricks fail), its
 * issuer, audience, times and claims, and its type. Every way a token can be wrong is a
 * TokenRejectedError; other errors (no key set reachable) are the caller's to surface.
 */
export async function verifyToken(
  token: string,
  keys: KeyResolver,
  policy: TokenPolicy,
  type: TokenType,
): Promise<TokenClaims> {
  if (token.length > MAX_TOKEN_LENGTH)
    throw new TokenRejectedError("INVALID_TOKEN", "token too long");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: [TOKEN_ALGORITHM],
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance: policy.leewaySeconds,
      requiredClaims: ["sub", "jti", "exp", "iat", "nbf"],
    }));
  } catch (err) {
    throw rejection(err);
  }
  const claims = claimsOf(payload);
  if (claims.type !== type) {
    throw new TokenRejectedError("TOKEN_TYPE_MISMATCH", `expected a ${type} token`);
  }
  return claims;
}

function claimsOf(payload: JWTPayload): TokenClaims {
  const { sub, jti, type, provider, fam, iat, exp } = payload;
  if (
    typeof sub !== "string" ||
    !sub ||
    typeof jti !== "string" ||
    !jti ||
    (type !== "access" && type !== "refresh") ||
    typeof provider !== "string" ||
    typeof fam !== "string" ||
    typeof iat !== "number" ||
    typeof exp !== "number"
  ) {
    throw new TokenRejectedError("INVALID_TOKEN", "token claims are incomplete");
  }
  return { sub, jti, type, provider, family: fam, iat, exp };
}

function rejection(err: unknown): Error {
  if (err instanceof errors.JWKSNoMatchingKey) {
    return new TokenRejectedError("INVALID_TOKEN", "invalid token", true);
  }
  if (err instanceof errors.JWTExpired)
    return new TokenRejectedError("TOKEN_EXPIRED", "token expired");
  if (err instanceof errors.JOSEError)
    return new TokenRejectedError("INVALID_TOKEN", "invalid token");
  // jose reports some malformed input (bad base64, bad JSON) with plain TypeErrors.
  if (err instanceof TypeError || err instanceof SyntaxError) {
    return new TokenRejectedError("INVALID_TOKEN", "invalid token");
  }
  return err instanceof Error ? err : new Error(String(err));
}
