import type { JSONWebKeySet } from "jose";
import {
  isTokenRejectedError,
  type KeyResolver,
  keyResolver,
  type TokenClaims,
  type TokenPolicy,
  type TokenType,
  verifyToken,
} from "./tokens.ts";

export interface CachingVerifierOptions {
  readonly policy: TokenPolicy;
  /** Fetches the issuer's current public keys. */
  readonly fetchJwks: () => Promise<JSONWebKeySet>;
  /** Most verified tokens remembered. Default 50,000. */
  readonly maxEntries?: number;
  /** An unknown kid refetches the keys at most this often. Default 5,000 ms. */
  readonly refetchIntervalMs?: number;
}

/**
 * CachingVerifier verifies tokens against the issuer's published keys and remembers each verified
 * token until it expires, so a busy client costs one signature check, not one per request.
 * Revocation is not its concern: callers check the claims against their revocation list.
 */
export class CachingVerifier {
  readonly #options: CachingVerifierOptions;
  readonly #verified = new Map<string, TokenClaims>();
  #keys: Promise<KeyResolver> | undefined;
  #fetchedAt = 0;

  constructor(options: CachingVerifierOptions) {
    this.#options = options;
  }

  /**
   * cached returns the claims of a token verified before and not yet expired, without waiting:
   * a hot path answers most requests from here and needs no promise.
   */
  cached(token: string, type: TokenType): TokenClaims | undefined {
    const known = this.#verified.get(token);
    if (
      known &&
      known.type === type &&
      known.exp + this.#options.policy.leewaySeconds > Date.now() / 1000
    ) {
      return known;
    }
    return undefined;
  }

  async verify(token: string, type: TokenType): Promise<TokenClaims> {
    const cached = this.cached(token, type);
    if (cached) return cached;
    this.#verified.delete(token);
    const claims = await this.#verifyFresh(token, type);
    this.#remember(token, claims);
    return claims;
  }

  async #verifyFresh(token: string, type: TokenType): Promise<TokenClaims> {
    try {
      return await verifyToken(token, await this.#resolver(), this.#options.policy, type);
    } catch (err) {
      const interval = this.#options.refetchIntervalMs ?? 5000;
      if (
        !isTokenRejectedError(err) ||
        !err.unknownKey ||
        Date.now() - this.#fetchedAt < interval
      ) {
        throw err;
      }
      this.#keys = undefined;
      return verifyToken(token, await this.#resolver(), this.#options.policy, type);
    }
  }

  #resolver(): Promise<KeyResolver> {
    if (!this.#keys) {
      this.#fetchedAt = Date.now();
      const fetching = this.#options.fetchJwks().then(keyResolver);
      // A failed fetch is not remembered: the next request tries again.
      fetching.catch(() => {
        if (this.#keys === fetching) this.#keys = undefined;
      });
      this.#keys = fetching;
    }
    return this.#keys;
  }

  #remember(token: string, claims: TokenClaims): void {
    const max = this.#options.maxEntries ?? 50_000;
    if (this.#verified.size >= max) {
      // Maps iterate in insertion order: drop the oldest tenth in one go.
      let drop = Math.ceil(max / 10);
      for (const key of this.#verified.keys()) {
        this.#verified.delete(key);
        if (--drop === 0) break;
      }
    }
    this.#verified.set(token, claims);
  }
}
