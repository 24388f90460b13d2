import { Code, ConnectError } from "@connectrpc/connect";
import { LazyTraceContext } from "../context/lazy-context.ts";
import { currentContext, type RequestContext } from "../context/request-context.ts";
import { acceptRequestId } from "../context/traceparent.ts";

/** The metadata keys that carry a request's identity between processes. */
export const USER_ID_HEADER = "x-user-id";
export const AUTH_PROVIDER_HEADER = "x-auth-provider";
export const REQUEST_ID_HEADER = "x-request-id";
export const TRACEPARENT_HEADER = "traceparent";

/**
 * contextFromHeaders builds the server-side context of an incoming call from its metadata (a
 * Headers, or anything that reads one). Its child span is made when first read (LazyTraceContext).
 */
export function contextFromHeaders(headers: { get(name: string): string | null }): RequestContext {
  return new LazyTraceContext({
    requestId: acceptRequestId(headers.get(REQUEST_ID_HEADER)),
    incomingTraceparent: headers.get(TRACEPARENT_HEADER),
    userId: headers.get(USER_ID_HEADER)?.trim() ?? "",
    authProvider: headers.get(AUTH_PROVIDER_HEADER)?.trim() ?? "",
  });
}

/** forwardedHeaders is the metadata an outgoing call inherits from the request being served. */
export function forwardedHeaders(): Record<string, string> {
  const ctx = currentContext();
  if (!ctx) return {};
  const headers: Record<string, string> = {
    [REQUEST_ID_HEADER]: ctx.requestId,
    [TRACEPARENT_HEADER]: ctx.traceparent,
  };
  if (ctx.userId) headers[USER_ID_HEADER] = ctx.userId;
  if (ctx.authProvider) headers[AUTH_PROVIDER_HEADER] = ctx.authProvider;
  return headers;
}

/**
 * requireUserId returns the caller's user id, set by the gateway after it verified the token.
 * A call without one is UNAUTHENTICATED: services never trust a body field for identity.
 */
export function requireUserId(): string {
  const userId = currentContext()?.userId;
  if (!userId) throw new ConnectError("missing user id", Code.Unauthenticated);
  return userId;
}

/** callerProvider is the identity provider of the caller's session, empty when unknown. */
export function callerProvider(): string {
  return currentContext()?.authProvider ?? "";
}
