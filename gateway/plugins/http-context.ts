import { Elysia } from "elysia";
import { LazyTraceContext } from "../../lib/context/lazy-context.ts";
import { currentContext } from "../../lib/context/request-context.ts";
import { acceptRequestId } from "../../lib/context/traceparent.ts";
import { httpDuration, httpRequests } from "../../lib/metrics/registry.ts";
import { REQUEST_ID_HEADER, TRACEPARENT_HEADER } from "../../lib/rpc/call-context.ts";
import type { GuardVerdict } from "./session-guard.ts";

/**
 * GatewayContext is a request's context at the gateway: the shared RequestContext (ids, trace,
 * user) plus what the gateway learns while serving it.
 */
export class GatewayContext extends LazyTraceContext {
  /** The route template that served the request, once routed ("" when none matched). */
  route = "";
  /** The session guard's answer, decided before the app runs (plugins/session-guard.ts). */
  verdict: GuardVerdict | undefined = undefined;
}

/** contextFromRequest derives a request's id and trace from its headers (or makes new ones). */
export function contextFromRequest(
  request: Request,
  clientIp: string | (() => string) = "",
): GatewayContext {
  return new GatewayContext({
    requestId: acceptRequestId(request.headers.get(REQUEST_ID_HEADER)),
    incomingTraceparent: request.headers.get(TRACEPARENT_HEADER),
    clientIp,
  });
}

/** gatewayContext is the context of the request being served, when the gateway made it. */
export function gatewayContext(): GatewayContext | undefined {
  const context = currentContext();
  return context instanceof GatewayContext ? context : undefined;
}

/**
 * CATCH_ALL is the template of the app's last route, which answers 404 for every path no other
 * route serves (synchronously: Elysia's own not-found answer takes its asynchronous error path).
 * Its requests are counted as unmatched, as Elysia's not-found ones were.
 */
export const CATCH_ALL = "/*";

/**
 * httpContext notes the matched route template for the RED metrics, which recordHttp writes once
 * the response exists (no after-response hook: Elysia runs those on a later tick, ~5 % of a
 * request). Its hook is synchronous, so Elysia inlines it in each route's compiled handler.
 */
export function httpContext() {
  return new Elysia({ name: "eco2/http-context" }).onTransform(
    { as: "global" },
    function noteRoute({ route }) {
      const context = gatewayContext();
      if (context) context.route = route === CATCH_ALL ? "" : route;
    },
  );
}

/**
 * finishResponse echoes the request id, adds the session guard's rate-limit headers, and lets
 * `decorate` add the headers every response carries (security, CORS). A response whose headers
 * are immutable (a redirect made by Response.redirect, a proxied fetch) is copied first.
 */
export function finishResponse(
  response: Response,
  context: GatewayContext,
  request: Request,
  path: string,
  decorate: (response: Response, headers: Headers, request: Request, path: string) => void,
): Response {
  let finished = response;
  try {
    finished.headers.set(REQUEST_ID_HEADER, context.requestId);
  } catch {
    finished = new Response(response.body, response);
    finished.headers.set(REQUEST_ID_HEADER, context.requestId);
  }
  const headers = finished.headers;
  // The session guard's rate-limit headers.
  const extra = context.verdict?.headers;
  for (const name in extra) headers.set(name, String(extra[name]));
  decorate(finished, headers, request, path);
  return finished;
}

type HttpSeries = readonly [
  ReturnType<typeof httpRequests.series>,
  ReturnType<typeof httpDuration.series>,
];
// route → method → status → both series: one lookup for the two metrics.
const seriesByRoute = new Map<string, Map<string, HttpSeries[]>>();

function httpSeries(method: string, route: string, status: number): HttpSeries {
  let byMethod = seriesByRoute.get(route);
  if (byMethod === undefined) {
    byMethod = new Map();
    seriesByRoute.set(route, byMethod);
  }
  let byStatus = byMethod.get(method);
  if (byStatus === undefined) {
    byStatus = [];
    byMethod.set(method, byStatus);
  }
  let series = byStatus[status];
  if (series === undefined) {
    const code = String(status);
    series = [httpRequests.series(method, route, code), httpDuration.series(method, route, code)];
    byStatus[status] = series;
  }
  return series;
}

/**
 * recordHttp counts a finished request per route template (unmatched paths share one label, so
 * scanning for URLs cannot blow up the series count) and records its latency.
 */
export function recordHttp(
  context: GatewayContext,
  method: string,
  status: number,
  startedMs: number,
): void {
  recordRoute(method, context.route || "unmatched", status, startedMs);
}

/** recordRoute is recordHttp for an answer whose route template is known without a context. */
export function recordRoute(method: string, route: string, status: number, startedMs: number) {
  const [requests, duration] = httpSeries(method, route, status);
  requests.inc();
  duration.observe((performance.now() - startedMs) / 1000);
}
