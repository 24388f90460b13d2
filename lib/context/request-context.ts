import { AsyncLocalStorage } from "node:async_hooks";

/**
 * RequestContext is what one request or message carries through every async hop of a process:
 * its ids for logs, the W3C trace context to forward, and the authenticated user.
 */
export interface RequestContext {
  readonly requestId: string;
  /** W3C traceparent header value (version-traceid-spanid-flags). */
  readonly traceparent: string;
  readonly traceId: string;
  /**
   * Authenticated user id, empty when the caller is anonymous. Writable because the gateway learns
   * it inside the request (after verifying the token), once the context already exists.
   */
  userId: string;
  /** The identity provider of the caller's session (`x-auth-provider`), empty when unknown. */
  authProvider?: string;
  /** The client's network address, where the process serves clients directly (the gateway). */
  readonly clientIp?: string;
  /**
   * For a connection that outlives its request (a WebSocket): whether the session that opened it
   * still holds. Undefined while it does; else the refusal code (e.g. TOKEN_EXPIRED).
   */
  sessionCheck?: () => string | undefined;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** runWithContext runs fn with ctx as the current request context. */
export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** currentContext is the context of the request being served, if any. */
export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}
