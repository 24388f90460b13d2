import type { JSONWebKeySet } from "jose";
import type { Cache, RateLimitOptions, RateLimitResult } from "../lib/cache/cache.ts";
import { KeyMemo } from "../lib/cache/key-memo.ts";
import type { RequestContext } from "../lib/context/request-context.ts";
import type { Logger } from "../lib/log/create-logger.ts";
import {
  CachingVerifier,
  isTokenRejectedError,
  RevocationList,
  type TokenClaims,
} from "../lib/tokens/index.ts";
import { ApiError } from "./api-error.ts";
import type { ServiceClients } from "./clients.ts";
import { corsOrigins, type GatewayConfig } from "./config.ts";
import { RateLimitHeaders } from "./rate-limit-headers.ts";
import { ACCESS_COOKIE, bearer, REFRESH_COOKIE } from "./routes/auth-cookies.ts";

/**
 * How a request is let in:
 * - `open`: no token and no limit (health, metrics, docs, signed media URLs, preflights);
 * - `login`: the public auth routes of CONTRACT §B.2 and dev login, limited per client address;
 * - `session`: everything else under /api/v1, which needs a valid, unrevoked access token.
 */
export type Access = "open" | "login" | "session";

// A provider's login routes are public whatever the provider's name, so an unknown one gets the
// route's own 422 rather than a 401.
const LOGIN_ROUTES =
  /^\/api\/v1\/auth\/(?:refresh|logout|dev\/login|\.well-known\/jwks\.json|[^/]+(?:\/(?:login|authorize|callback))?)\/?$/;

export function accessOf(method: string, path: string): Access {
  if (method === "OPTIONS" || !path.startsWith("/api/v1/")) return "open";
  return path.startsWith("/api/v1/auth/") && LOGIN_ROUTES.test(path) ? "login" : "session";
}

/**
 * plainBearer is the token of the exact form "Bearer <token>", without parsing: enough to look a
 * token up among those verified before (a verified token holds no whitespace, so for one of those
 * it is what routes/auth-cookies.ts's bearer would read). Scanning a ~550-character header for
 * whitespace twice was ~0.1 µs of every guarded request.
 */
function plainBearer(header: string | null): string {
  return header?.startsWith("Bearer ") ? header.slice(7) : "";
}

/**
 * MUST_WAIT is what decide answers when told not to wait and the verdict needs something
 * asynchronous (a token not verified before, remote rate-limit windows). Nothing was started or
 * counted: the caller decides again, waiting, where the asynchronous work belongs (its request
 * context, so the JWKS fetch carries the request's id and trace).
 */
export const MUST_WAIT: unique symbol = Symbol("must wait");

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const WINDOW_MS = 60_000;

export interface SessionGuardOptions {
  readonly verifier: CachingVerifier;
  /** Started: it answers from memory. */
  readonly revocations: RevocationList;
  /** Where the rate-limit windows live (Redis in a cluster, so all gateways share them). */
  readonly cache: Cache;
  /** Origins a cookie-authenticated change may come from (the CORS allow-list). */
  readonly allowedOrigins: readonly string[];
  readonly authPerMinute: number;
  readonly userPerMinute: number;
  readonly log: Logger;
}

export interface GuardedRequest {
  readonly request: Request;
  readonly path: string;
  /** accessOf(method, path), when the caller has classified the request already. */
  readonly access?: Access;
  /** The client's address as the gateway trusts it. */
  readonly clientIp: string;
  /** The RateLimit headers of this request's answer, once its limit is counted. */
  rateLimit?: RateLimitHeaders;
  readonly context: RequestContext | undefined;
}

/**
 * SessionGuard decides, once per request and before any route runs, whether it may go on: 401
 * for a missing, invalid or expired token, 403 only for a revoked one (the client logs out on
 * 403), 400 for a cookie-authenticated change from a foreign origin, 429 past a rate limit. A
 * passing session puts the user and provider into the request context, so every RPC carries them.
 */
export class SessionGuard {
  readonly #options: SessionGuardOptions;
  readonly #origins: ReadonlySet<string>;
  /** The per-user window's options, made once: the guarded path allocates nothing it can avoid. */
  readonly #userWindow: RateLimitOptions;
  /** user id → its rate-limit key: a key built per request is a new string to hash each time. */
  readonly #userKeys = new KeyMemo((userId) => `ratelimit:user:${userId}`);

  constructor(options: SessionGuardOptions) {
    this.#options = options;
    this.#userWindow = { limit: options.userPerMinute, windowMs: WINDOW_MS };
    this.#origins = new Set(options.allowedOrigins.map((origin) => origin.replace(/\/+$/, "")));
  }

  /** check resolves when the request may go on and rejects with an ApiError when it may not. */
  async check(guarded: GuardedRequest): Promise<void> {
    await this.decide(guarded);
  }

  /**
   * decide is check without a promise where none is needed: undefined for an open path, a
   * synchronous throw for a refusal it can tell at once (no token, a bad or revoked one), and a
   * promise only for what it must wait for (the rate limit, a token not verified before). Each
   * await of the request's path costs an async-context switch; the gateway calls this.
   * With `wait` false it starts nothing asynchronous: it answers MUST_WAIT instead.
   */
  decide(guarded: GuardedRequest): Promise<void> | undefined;
  decide(guarded: GuardedRequest, wait: false): undefined | typeof MUST_WAIT;
  decide(guarded: GuardedRequest, wait = true): Promise<void> | undefined | typeof MUST_WAIT {
    const access = guarded.access ?? accessOf(guarded.request.method, guarded.path);
    if (access === "open") return undefined;
    // Remote windows are counted over the network: such a guard always waits.
    if (!wait && this.#options.cache.rateLimitNow === undefined) return MUST_WAIT;
    const cookies = parseCookies(guarded.request.headers.get("cookie"));
    if (access === "login") {
      const limited = this.#limit(
        `ratelimit:ip:${guarded.clientIp}`,
        this.#options.authPerMinute,
        guarded,
        wait,
      );
      if (limited === MUST_WAIT) return MUST_WAIT;
      // Refresh spends the refresh cookie, so a foreign page must not trigger it. Logout is
      // left open: the client calls it to recover, and it only ends the session.
      const refreshOrigin = () => {
        if (guarded.path.startsWith("/api/v1/auth/refresh") && cookies.has(REFRESH_COOKIE)) {
          this.#checkOrigin(guarded.request);
        }
      };
      if (limited) return limited.then(refreshOrigin);
      refreshOrigin();
      return undefined;
    }
    const claims = this.#authenticate(guarded.request, cookies, wait);
    if (claims === MUST_WAIT) return MUST_WAIT;
    // A promise means waiting was allowed, and a guard that may wait never answers MUST_WAIT.
    return claims instanceof Promise
      ? claims.then((verified) => this.#admit(verified, guarded, true) as Promise<void> | undefined)
      : this.#admit(claims, guarded, wait);
  }

  #admit(
    claims: TokenClaims,
    guarded: GuardedRequest,
    wait: boolean,
  ): Promise<void> | undefined | typeof MUST_WAIT {
    if (guarded.context) {
      guarded.context.userId = claims.sub;
      guarded.context.authProvider = claims.provider;
      // A socket lives on after its upgrade; it must end with the session that opened it.
      if (isWebSocketUpgrade(guarded.request)) {
        guarded.context.sessionCheck = () => this.#sessionEnded(claims);
      }
    }
    return this.#limit(this.#userKeys.of(claims.sub), this.#options.userPerMinute, guarded, wait);
  }

  /** Why a session checked earlier no longer holds: expired or revoked since. */
  #sessionEnded(claims: TokenClaims): string | undefined {
    if (this.#options.revocations.isRevoked(claims)) return "TOKEN_REVOKED";
    if (Date.now() >= claims.exp * 1000) return "TOKEN_EXPIRED";
    return undefined;
  }

  #authenticate(
    request: Request,
    cookies: ReadonlyMap<string, string>,
    wait: boolean,
  ): TokenClaims | Promise<TokenClaims> | typeof MUST_WAIT {
    // The browser's cookie wins over a header, as the original edge rewrote it (CONTRACT §B.1).
    const cookieToken = cookies.get(ACCESS_COOKIE);
    const fromCookie = cookieToken !== undefined && cookieToken !== "";
    const header = fromCookie ? null : request.headers.get("authorization");
    // The hot path (a token verified before) parses nothing and makes no closure.
    const known = this.#options.verifier.cached(
      fromCookie ? cookieToken : plainBearer(header),
      "access",
    );
    if (known) return this.#accept(known, request, fromCookie);
    const token = fromCookie ? cookieToken : bearer(header ?? undefined);
    if (!token) throw new ApiError(401, "MISSING_TOKEN", "Missing Authorization header");
    if (!wait) return MUST_WAIT;
    const accept = (claims: TokenClaims) => this.#accept(claims, request, fromCookie);
    return this.#options.verifier.verify(token, "access").then(accept, (err: unknown) => {
      if (!isTokenRejectedError(err)) throw err;
      const code = err.code === "TOKEN_EXPIRED" ? "TOKEN_EXPIRED" : "INVALID_TOKEN";
      throw new ApiError(
        401,
        code,
        err.code === "TOKEN_EXPIRED" ? "Token expired" : "Invalid token",
      );
    });
  }

  /** #accept lets a verified token in unless it is revoked, or its cookie came from elsewhere. */
  #accept(claims: TokenClaims, request: Request, fromCookie: boolean): TokenClaims {
    if (this.#options.revocations.isRevoked(claims)) {
      throw new ApiError(403, "TOKEN_REVOKED", "Token is revoked");
    }
    // A browser opens a WebSocket from any page with the user's cookies (cross-site WebSocket
    // hijacking), so the upgrade is held to the same Origin rule as a change.
    if (fromCookie && (UNSAFE_METHODS.has(request.method) || isWebSocketUpgrade(request))) {
      this.#checkOrigin(request);
    }
    return claims;
  }

  /** A change authenticated by a cookie must come from one of our own pages (CONTRACT A.4). */
  #checkOrigin(request: Request): void {
    const origin = request.headers.get("origin") ?? originOf(request.headers.get("referer"));
    // The gateway's own origin is its own page (the demo page): a foreign site cannot claim it.
    if (origin && origin === originOf(request.url)) return;
    if (!origin || !this.#origins.has(origin.replace(/\/+$/, ""))) {
      throw new ApiError(400, "CSRF_ORIGIN_REJECTED", "request origin is not allowed");
    }
  }

  /**
   * #limit counts the request in its window. The in-process cache answers at once
   * (`rateLimitNow`), so a request it admits needs no promise; Redis, whose windows every
   * replica shares, is asked over the network: the limit stays exact across replicas.
   */
  #limit(
    key: string,
    limit: number,
    guarded: GuardedRequest,
    wait: boolean,
  ): Promise<void> | undefined | typeof MUST_WAIT {
    const { cache } = this.#options;
    const options =
      limit === this.#userWindow.limit ? this.#userWindow : { limit, windowMs: WINDOW_MS };
    if (cache.rateLimitNow !== undefined) {
      let verdict: RateLimitResult;
      try {
        verdict = cache.rateLimitNow(key, options);
      } catch (err) {
        // Nothing was counted: asked again inside the request's context, the warning carries it.
        if (!wait) return MUST_WAIT;
        this.#unlimited(err);
        return undefined;
      }
      guarded.rateLimit = applyLimit(verdict, limit);
      return undefined;
    }
    let counting: Promise<RateLimitResult>;
    try {
      counting = cache.rateLimit(key, options);
    } catch (err) {
      counting = Promise.reject(err);
    }
    return counting.then(
      (verdict) => {
        guarded.rateLimit = applyLimit(verdict, limit);
      },
      (err: unknown) => this.#unlimited(err),
    );
  }

  #unlimited(err: unknown): void {
    // Without the cache no limit can be counted; serving beats refusing everyone.
    this.#options.log.warn({ err }, "rate limit unavailable; request let through");
  }
}

/** applyLimit gives the RateLimit headers of the answer, and refuses past the limit (429). */
function applyLimit(verdict: RateLimitResult, limit: number): RateLimitHeaders {
  const headers = RateLimitHeaders.of(verdict, limit);
  if (verdict.allowed) return headers;
  throw headers.refusal("too many requests, slow down", verdict.retryAfterMs);
}

function originOf(referer: string | null): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

const NO_COOKIES: ReadonlyMap<string, string> = new Map();

/** parseCookies reads a Cookie header into name → value (first occurrence wins). */
export function parseCookies(header: string | null): ReadonlyMap<string, string> {
  if (!header) return NO_COOKIES;
  const cookies = new Map<string, string>();
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    if (name && !cookies.has(name)) cookies.set(name, decodeCookieValue(part.slice(at + 1).trim()));
  }
  return cookies;
}

function decodeCookieValue(value: string): string {
  const unquoted = value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  try {
    return decodeURIComponent(unquoted);
  } catch {
    return unquoted;
  }
}

/**
 * clientAddress is the caller's address: the socket's, or with `hops` trusted proxies in front,
 * the entry they appended to X-Forwarded-For (a client can forge the entries before it).
 */
export function clientAddress(request: Request, socketIp: string, hops: number): string {
  if (hops === 0) return socketIp;
  const forwarded = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return forwarded.at(-hops) ?? socketIp;
}

/**
 * openSessionGuard builds the gateway's guard from its configuration: tokens are checked against
 * the auth service's published keys, and revocations are loaded before it answers.
 */
export async function openSessionGuard(
  config: GatewayConfig,
  dependencies: { clients: ServiceClients; cache: Cache; log: Logger },
): Promise<{ guard: SessionGuard; stop(): Promise<void> }> {
  const { clients, cache, log } = dependencies;
  const verifier = new CachingVerifier({
    policy: {
      issuer: config.AUTH_JWT_ISSUER,
      audience: config.AUTH_JWT_AUDIENCE,
      leewaySeconds: 5,
    },
    fetchJwks: async () => JSON.parse((await clients.auth.getJwks({})).jwksJson) as JSONWebKeySet,
  });
  const revocations = new RevocationList({
    cache,
    log,
    horizonMs:
      Math.max(config.AUTH_ACCESS_TOKEN_TTL_SECONDS, config.AUTH_REFRESH_TOKEN_TTL_SECONDS) * 1000,
  });
  await revocations.start();
  const guard = new SessionGuard({
    verifier,
    revocations,
    cache,
    allowedOrigins: corsOrigins(config),
    authPerMinute: config.RATE_LIMIT_AUTH_PER_MINUTE,
    userPerMinute: config.RATE_LIMIT_USER_PER_MINUTE,
    log,
  });
  return { guard, stop: () => revocations.stop() };
}

function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}
