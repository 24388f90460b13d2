import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { type TokenPair, TokenPairSchema } from "../../gen/eco2/auth/v1/auth_pb.ts";
import type { Cache } from "../../lib/cache/cache.ts";
import type { Logger } from "../../lib/log/create-logger.ts";
import { domainError } from "../../lib/rpc/domain-error.ts";
import {
  isTokenRejectedError,
  keyResolver,
  type RevocationList,
  type SigningKeys,
  signToken,
  type TokenClaims,
  type TokenPolicy,
  type TokenType,
  verifyToken,
} from "../../lib/tokens/index.ts";

export interface SessionTokenOptions {
  readonly keys: SigningKeys;
  readonly policy: TokenPolicy;
  readonly accessTtlSeconds: number;
  readonly refreshTtlSeconds: number;
  readonly cache: Cache;
  readonly revocations: RevocationList;
  readonly log: Logger;
}

const ACTIVE = "active";
const ROTATED = "rotated";

/**
 * SessionTokens issues token pairs, rotates refresh tokens and revokes them. Each refresh token
 * has a state key in the cache (`active` until used once, then `rotated`), so of many concurrent
 * refreshes with one token exactly one wins (compare-and-set), and presenting a rotated token
 * again revokes its whole family: every token descending from that login.
 */
export class SessionTokens {
  readonly #options: SessionTokenOptions;
  readonly #resolver;

  constructor(options: SessionTokenOptions) {
    this.#options = options;
    this.#resolver = keyResolver(options.keys.jwks());
  }

  /**
   * issue signs a new pair for a login (a new family) or a rotation (the same family); `accessJti`
   * is for the login audit.
   */
  async issue(
    sub: string,
    provider: string,
    family: string = randomUUID(),
  ): Promise<{ pair: TokenPair; accessJti: string }> {
    const { keys, policy, accessTtlSeconds, refreshTtlSeconds, cache } = this.#options;
    const claims = { sub, provider, family };
    const [access, refresh] = await Promise.all([
      signToken(keys, policy, { ...claims, type: "access", ttlSeconds: accessTtlSeconds }),
      signToken(keys, policy, { ...claims, type: "refresh", ttlSeconds: refreshTtlSeconds }),
    ]);
    await cache.set(this.#stateKey(refresh.jti), ACTIVE, { ttlMs: refreshTtlSeconds * 1000 });
    const pair = create(TokenPairSchema, {
      accessToken: access.token,
      refreshToken: refresh.token,
      accessExpiresAt: timestampFromMs(access.exp * 1000),
      refreshExpiresAt: timestampFromMs(refresh.exp * 1000),
      userId: sub,
      provider,
    });
    return { pair, accessJti: access.jti };
  }

  /** jwks is the public key set verifiers fetch. */
  jwks() {
    return this.#options.keys.jwks();
  }

  /** rotate spends a refresh token once and issues the next pair of its family. */
  async rotate(refreshToken: string): Promise<TokenPair> {
    const claims = await this.verify(refreshToken, "refresh");
    const { cache, revocations } = this.#options;
    if (await revocations.isRevokedDurably(claims)) {
      throw domainError(Code.Unauthenticated, "TOKEN_REVOKED", "refresh token revoked");
    }
    const key = this.#stateKey(claims.jti);
    if (!(await cache.compareAndSet(key, ACTIVE, ROTATED))) {
      if ((await cache.get(key)) === ROTATED) await this.#revokeFamily(claims);
      throw domainError(Code.Unauthenticated, "TOKEN_REVOKED", "refresh token already used");
    }
    return (await this.issue(claims.sub, claims.provider, claims.family)).pair;
  }

  /** logout revokes whichever of the two tokens is valid; it never fails the caller. */
  async logout(accessToken: string, refreshToken: string): Promise<void> {
    await Promise.all([
      this.#revokeQuietly(accessToken, "access"),
      this.#revokeQuietly(refreshToken, "refresh"),
    ]);
  }

  /** revokeSubject ends every session of a user (account deleted). */
  async revokeSubject(sub: string): Promise<void> {
    await this.#options.revocations.revoke({
      kind: "subject",
      sub,
      issuedBeforeSec: Math.floor(Date.now() / 1000),
      expiresAtMs: Date.now() + this.#longestLifetimeMs(),
    });
  }

  /** verify checks a token as the gateway would, mapping rejections to the contract's codes. */
  async verify(token: string, type: TokenType): Promise<TokenClaims> {
    try {
      return await verifyToken(token, this.#resolver, this.#options.policy, type);
    } catch (err) {
      if (!isTokenRejectedError(err)) throw err;
      const code = err.code === "TOKEN_TYPE_MISMATCH" ? Code.InvalidArgument : Code.Unauthenticated;
      throw domainError(code, err.code, err.message);
    }
  }

  async #revokeQuietly(token: string, type: TokenType): Promise<void> {
    if (!token) return;
    try {
      const claims = await this.verify(token, type);
      await this.#options.revocations.revoke({
        kind: "token",
        jti: claims.jti,
        expiresAtMs: claims.exp * 1000,
      });
      if (type === "refresh") await this.#options.cache.del(this.#stateKey(claims.jti));
    } catch (err) {
      // Logout is best-effort (CONTRACT §2.1): an expired or foreign token has nothing to revoke.
      this.#options.log.info({ err, token_type: type }, "logout: token not revoked");
    }
  }

  async #revokeFamily(claims: TokenClaims): Promise<void> {
    await this.#options.revocations.revoke({
      kind: "family",
      family: claims.family,
      expiresAtMs: Date.now() + this.#longestLifetimeMs(),
    });
    this.#options.log.warn(
      { user_id: claims.sub, family: claims.family },
      "a rotated refresh token was used again; its family is revoked",
    );
  }

  #longestLifetimeMs(): number {
    const { accessTtlSeconds, refreshTtlSeconds } = this.#options;
    return Math.max(accessTtlSeconds, refreshTtlSeconds) * 1000;
  }

  #stateKey(jti: string): string {
    return `auth:refresh:${jti}`;
  }
}
