import { Elysia } from "elysia";
import type { RateLimitHeaders } from "../rate-limit-headers.ts";
import {
  type Access,
  accessOf,
  type GuardedRequest,
  MUST_WAIT,
  type SessionGuard,
} from "../session-guard.ts";
import { type GatewayContext, gatewayContext } from "./http-context.ts";

/** What the session guard decided for a request, before the app saw it. */
export interface GuardVerdict {
  /** The RateLimit headers of the answer, when a limit was counted. */
  readonly rateLimit?: RateLimitHeaders;
  /** The refusal (an ApiError), when the request may not go on. */
  readonly error?: unknown;
}

const OPEN: GuardVerdict = {};

/**
 * Deciding is a guarded request and, once decided, its verdict: one object per request (the
 * guard writes the rate limit into it, decideAccess the refusal).
 */
class Deciding implements GuardedRequest, GuardVerdict {
  rateLimit: RateLimitHeaders | undefined = undefined;
  error: unknown = undefined;

  constructor(
    readonly request: Request,
    readonly path: string,
    readonly access: Access,
    readonly context: GatewayContext,
  ) {}

  // Read only by the login routes' per-address limit: Bun's requestIP is not free.
  get clientIp(): string {
    return this.context.clientIp;
  }
}

/** pathOf reads the path of a request URL without building a URL object on every request. */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const end = url.indexOf("?", start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

/**
 * guardedRequest is the request as the guard sees it, or undefined for an open path, whose
 * verdict (nothing to refuse, no limit) it keeps at once.
 */
function guardedRequest(
  request: Request,
  path: string,
  context: GatewayContext,
): Deciding | undefined {
  const access = accessOf(request.method, path);
  if (access !== "open") return new Deciding(request, path, access, context);
  context.verdict = OPEN;
  return undefined;
}

/**
 * decideAccess runs the SessionGuard for a request before the app sees it, and keeps the answer
 * in its context. It resolves at once (no promise) for the open paths, so an asynchronous check
 * costs only the requests that need one; an awaiting hook inside Elysia would make every
 * request's path asynchronous (~25 % of a /healthz).
 */
export function decideAccess(
  guard: SessionGuard,
  request: Request,
  path: string,
  context: GatewayContext,
): Promise<void> | undefined {
  const guarded = guardedRequest(request, path, context);
  if (guarded === undefined) return undefined;
  let deciding: Promise<void> | undefined;
  try {
    deciding = guard.decide(guarded);
  } catch (error) {
    guarded.error = error;
  }
  if (deciding === undefined) {
    context.verdict = guarded;
    return undefined;
  }
  return deciding.then(
    () => {
      context.verdict = guarded;
    },
    (error: unknown) => {
      guarded.error = error;
      context.verdict = guarded;
    },
  );
}

/**
 * decideAccessNow is decideAccess for a caller that has not entered the request's context yet:
 * it keeps the verdict and answers true where the guard decides at once (an open path, a token
 * verified before, in-process windows), and answers false, leaving no verdict, where the guard
 * would have to wait. Then nothing has started or been counted: the caller enters the context
 * and calls decideAccess, so the waiting (the JWKS fetch, a remote window) carries the request's
 * id and trace.
 */
export function decideAccessNow(
  guard: SessionGuard,
  request: Request,
  path: string,
  context: GatewayContext,
): boolean {
  const guarded = guardedRequest(request, path, context);
  if (guarded === undefined) return true;
  try {
    if (guard.decide(guarded, false) === MUST_WAIT) return false;
  } catch (error) {
    guarded.error = error;
  }
  context.verdict = guarded;
  return true;
}

/**
 * sessionGuard applies the guard's verdict as the first thing after CORS, before parsing and
 * validation, so an anonymous caller learns it must sign in (401) before anything about its
 * input. Its rate-limit headers are added to the finished response with the other edge headers
 * (CORS, so a refusal is readable by the browser). A request that reached the app without a
 * verdict (not through contextHandler) is refused.
 */
export function sessionGuard() {
  return new Elysia({ name: "eco2/session-guard" }).onRequest(function applyVerdict() {
    const verdict = gatewayContext()?.verdict;
    if (verdict === undefined) throw new Error("request reached the gateway app unguarded");
    if (verdict.error !== undefined) throw verdict.error;
  });
}
