import type { Cache } from "../cache/cache.ts";
import type { Logger } from "../log/create-logger.ts";
import type { TokenClaims } from "./tokens.ts";

/**
 * A revocation: one token by its id, every token of one login (a refresh family), or every token
 * of a subject issued before a moment.
 */
export type Revocation =
  | { readonly kind: "token"; readonly jti: string; readonly expiresAtMs: number }
  | { readonly kind: "family"; readonly family: string; readonly expiresAtMs: number }
  | {
      readonly kind: "subject";
      readonly sub: string;
      /** Tokens issued at or before this second are revoked. */
      readonly issuedBeforeSec: number;
      readonly expiresAtMs: number;
    };

export interface RevocationListOptions {
  readonly cache: Cache;
  readonly log: Logger;
  /** Key and channel prefix. Default "auth:revocations". */
  readonly prefix?: string;
  /** The longest token lifetime: older revocations cannot matter any more. */
  readonly horizonMs: number;
  /** How often the log is re-read, catching what pub/sub lost. Default 500 ms. */
  readonly resyncMs?: number;
}

/** Revocations written by replicas with skewed clocks still fall inside a re-read this wide. */
const RESYNC_SLACK_MS = 5000;

/**
 * RevocationList keeps every live revocation in process memory, so checking a token costs no
 * network call. Revocations are written to a log in the cache (a sorted set scored by the time
 * of revocation, plus a point key per revocation for authoritative checks) and announced on a
 * pub/sub channel: subscribers apply them at once, and a frequent re-read of the log's newest
 * entries catches any message lost while a connection was down. A list that starts loads the
 * whole log first, so it never misses a revocation made before it started.
 */
export class RevocationList {
  readonly #options: RevocationListOptions;
  readonly #prefix: string;
  readonly #tokens = new Map<string, number>();
  readonly #families = new Map<string, number>();
  readonly #subjects = new Map<string, { before: number; expiresAtMs: number }>();
  #newestScore = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #syncing: Promise<void> | undefined;

  constructor(options: RevocationListOptions) {
    this.#options = options;
    this.#prefix = options.prefix ?? "auth:revocations";
  }

  get #logKey() {
    return `${this.#prefix}:log`;
  }

  get #channel() {
    return `${this.#prefix}:live`;
  }

  /** start loads the log, then follows the channel and re-reads the log's tail. */
  async start(): Promise<void> {
    this.#unsubscribe = await this.#options.cache.subscribe(this.#channel, (message) =>
      this.#apply(message, Date.now()),
    );
    await this.#sync(Date.now() - this.#options.horizonMs);
    this.#timer = setInterval(() => {
      this.#syncing ??= this.#sync(this.#newestScore - RESYNC_SLACK_MS)
        .catch((err) => this.#options.log.warn({ err }, "revocation re-read failed; retrying"))
        .finally(() => {
          this.#syncing = undefined;
        });
    }, this.#options.resyncMs ?? 500);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#syncing;
    await this.#unsubscribe?.();
  }

  /** isRevoked answers from memory: is this verified token revoked? */
  isRevoked(claims: Pick<TokenClaims, "jti" | "sub" | "iat" | "family">): boolean {
    if (this.#tokens.has(claims.jti) || this.#families.has(claims.family)) return true;
    const subject = this.#subjects.get(claims.sub);
    return subject !== undefined && claims.iat <= subject.before;
  }

  /**
   * revoke records a revocation durably (point key and log, expiring with the tokens it covers),
   * announces it, and applies it here at once.
   */
  async revoke(revocation: Revocation): Promise<void> {
    const { cache } = this.#options;
    const now = Date.now();
    const ttlMs = Math.max(1000, revocation.expiresAtMs - now);
    const member = JSON.stringify(revocation);
    const value = revocation.kind === "subject" ? String(revocation.issuedBeforeSec) : "1";
    await cache.set(this.#pointKey(revocation), value, { ttlMs });
    await cache.zAdd(this.#logKey, [{ value: member, score: now }]);
    this.#apply(member, now);
    await cache.publish(this.#channel, member);
    await this.#prune(now);
  }

  /** isRevokedDurably asks the cache itself, for the issuer's own checks (refresh, logout). */
  async isRevokedDurably(
    claims: Pick<TokenClaims, "jti" | "sub" | "iat" | "family">,
  ): Promise<boolean> {
    const { cache } = this.#options;
    const [token, family, subject] = await Promise.all([
      cache.get(`${this.#prefix}:jti:${claims.jti}`),
      cache.get(`${this.#prefix}:fam:${claims.family}`),
      cache.get(`${this.#prefix}:sub:${claims.sub}`),
    ]);
    return token !== null || family !== null || (subject !== null && claims.iat <= Number(subject));
  }

  #pointKey(revocation: Revocation): string {
    switch (revocation.kind) {
      case "token":
        return `${this.#prefix}:jti:${revocation.jti}`;
      case "family":
        return `${this.#prefix}:fam:${revocation.family}`;
      case "subject":
        return `${this.#prefix}:sub:${revocation.sub}`;
    }
  }

  async #sync(fromScore: number): Promise<void> {
    const page = 1000;
    for (let offset = 0; ; offset += page) {
      const entries = await this.#options.cache.zRangeByScoreDesc(this.#logKey, {
        min: fromScore,
        limit: page,
        offset,
      });
      for (const entry of entries) this.#apply(entry.value, entry.score);
      if (entries.length < page) break;
    }
    this.#forgetExpired(Date.now());
  }

  #apply(member: string, score: number): void {
    let revocation: Revocation;
    try {
      revocation = JSON.parse(member) as Revocation;
    } catch {
      this.#options.log.warn({ member }, "ignoring a malformed revocation");
      return;
    }
    this.#newestScore = Math.max(this.#newestScore, score);
    if (revocation.expiresAtMs < Date.now()) return;
    if (revocation.kind === "token") {
      this.#tokens.set(revocation.jti, revocation.expiresAtMs);
      return;
    }
    if (revocation.kind === "family") {
      this.#families.set(revocation.family, revocation.expiresAtMs);
      return;
    }
    const known = this.#subjects.get(revocation.sub);
    if (!known || known.before < revocation.issuedBeforeSec) {
      this.#subjects.set(revocation.sub, {
        before: revocation.issuedBeforeSec,
        expiresAtMs: revocation.expiresAtMs,
      });
    }
  }

  #forgetExpired(now: number): void {
    for (const [jti, expiresAtMs] of this.#tokens) if (expiresAtMs < now) this.#tokens.delete(jti);
    for (const [id, expiresAtMs] of this.#families) {
      if (expiresAtMs < now) this.#families.delete(id);
    }
    for (const [sub, entry] of this.#subjects) {
      if (entry.expiresAtMs < now) this.#subjects.delete(sub);
    }
  }

  /** The log keeps only what can still matter; whoever revokes trims its oldest entries. */
  async #prune(now: number): Promise<void> {
    const stale = await this.#options.cache.zRangeByScoreDesc(this.#logKey, {
      max: now - this.#options.horizonMs,
      limit: 500,
    });
    if (stale.length > 0) {
      await this.#options.cache.zRem(
        this.#logKey,
        stale.map((entry) => entry.value),
      );
    }
  }
}
