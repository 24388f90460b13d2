import { Elysia } from "elysia";
import { LazyTraceContext } from "../../lib/context/lazy-context.ts";
import { currentContext } from "../../lib/context/request-context.ts";
import { acceptRequestId } from "../../lib/context/traceparent.ts";
import { httpDuration, httpRequests } from "../../lib/metrics/registry.ts";
import { REQUEST_ID_HEADER, TRACEPARENT_HEADER } from "../../lib/rpc/call-context.ts";
import { clientAddress } from "../session-guard.ts";
import type { GuardVerdict } from "./session-guard.ts";

/**
 * Where the client's socket address comes from: the address itself, or the server that can tell
 * it (Bun's `server.requestIP`, asked only when needed: it costs ~3 % of a request).
 */
export type SocketIp = string | { requestIP(request: Request): { address: string } | null };

/**
 * GatewayContext is a request's context at the gateway: the shared RequestContext (ids, trace,
 * user) plus what the gateway learns while serving it. The caller's traceparent and address are
 * read from the request only if something asks for them (most requests never log or call out).
 */
export class GatewayContext extends LazyTraceContext {
  /** The route template that served the request, once routed ("" when none matched). */
  route = "";
  /** The session guard's answer, decided before the app runs (plugins/session-guard.ts). */
  verdict: GuardVerdict | undefined = undefined;
  readonly #request: Request;
  readonly #socketIp: SocketIp;
  readonly #proxyHops: number;

  constructor(request: Request, socketIp: SocketIp = "", trustedProxyHops = 0) {
    super({
      requestId: acceptRequestId(request.headers.get(REQUEST_ID_HEADER)),
      incomingTraceparent: undefined,
    });
    this.#request = request;
    this.#socketIp = socketIp;
    this.#proxyHops = trustedProxyHops;
  }

  protected override incomingTraceparent(): string | null {
    return this.#request.headers.get(TRACEPARENT_HEADER);
  }

  protected override resolveClientIp(): string {
    const socketIp = this.#socketIp;
    const address =
      typeof socketIp === "string" ? socketIp : (socketIp.requestIP(this.#request)?.address ?? "");
    return clientAddress(this.#request, address, this.#proxyHops);
  }
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

const API_PREFIX = "/api/v1/";

/**
 * unroutedApi is a test, built once from the app's route templates, for API paths no route but
 * the catch-all can serve: those whose first segment under /api/v1/ starts no route (a guarded
 * 404 the edge answers without Elysia's router and hooks). It only says "unrouted" when sure:
 * a route with a parameter or wildcard where that segment would be (other than the catch-all)
 * turns the test off, and an encoded or otherwise unusual segment is left to the app.
 */
export function unroutedApi(templates: readonly string[]): (path: string) => boolean {
  const segments = new Set<string>();
  for (const template of templates) {
    if (template === CATCH_ALL) continue;
    const head = template.split("/").slice(1, 4); // "api", "v1", the first API segment
    if (head.some((part) => part.startsWith(":") || part.includes("*"))) return () => false;
    if (head[0] === "api" && head[1] === "v1") segments.add(head[2] ?? "");
  }
  // Routed segments by length: a segment is compared in place, not sliced out and hashed.
  const byLength: string[][] = [];
  for (const segment of segments) {
    byLength[segment.length] = [...(byLength[segment.length] ?? []), segment];
  }
  // The path asked last, and its answer: a client polling one path, or a flood of one unknown
  // path, is answered by one string compare. In a served gateway the scan below costs ~0.15 µs,
  // ~5× what it costs in a loop on its own (bench/README.md, seventh pass).
  let lastPath = "";
  let lastAnswer = false;
  const unrouted = (path: string): boolean => {
    if (path === lastPath) return lastAnswer;
    lastAnswer = scan(path);
    lastPath = path;
    return lastAnswer;
  };
  const scan = (path: string): boolean => {
    if (!path.startsWith(API_PREFIX)) return false;
    // The segment's characters are checked in one pass (a regular expression and a lower-cased
    // copy cost ~0.5 µs of a guarded request); an uppercase letter sends it to the app, should the
    // router ever ignore case.
    let end = API_PREFIX.length;
    for (; end < path.length; end++) {
      const code = path.charCodeAt(end);
      if (code === SLASH) break;
      if (!isPlainSegmentChar(code)) return false;
    }
    const length = end - API_PREFIX.length;
    if (length === 0) return false;
    for (const segment of byLength[length] ?? NONE) {
      if (path.startsWith(segment, API_PREFIX.length)) return false;
    }
    return true;
  };
  return unrouted;
}

const NONE: readonly string[] = [];

const SLASH = 0x2f;

/** [a-z0-9_.-]: what a route segment of ours is made of. */
function isPlainSegmentChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x5f || // _
    code === 0x2e || // .
    code === 0x2d // -
  );
}

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
  context.verdict?.rateLimit?.set(headers);
  decorate(finished, headers, request, path);
  return finished;
}

type HttpSeries = readonly [
  ReturnType<typeof httpRequests.series>,
  ReturnType<typeof httpDuration.series>,
];
// route → method → status → both series: one lookup for the two metrics.
const seriesByRoute = new Map<string, Map<string, Map<number, HttpSeries>>>();
// The series used last, found without the lookup: a busy route gives the same method, route and
// status again and again (four variables, not an object: a miss allocates nothing).
let lastMethod = "";
let lastRoute = "";
let lastStatus = 0;
let lastSeries: HttpSeries | undefined;

function httpSeries(method: string, route: string, status: number): HttpSeries {
  if (status === lastStatus && route === lastRoute && method === lastMethod && lastSeries) {
    return lastSeries;
  }
  lastSeries = lookUpSeries(method, route, status);
  lastMethod = method;
  lastRoute = route;
  lastStatus = status;
  return lastSeries;
}

function lookUpSeries(method: string, route: string, status: number): HttpSeries {
  let byMethod = seriesByRoute.get(route);
  if (byMethod === undefined) {
    byMethod = new Map();
    seriesByRoute.set(route, byMethod);
  }
  let byStatus = byMethod.get(method);
  if (byStatus === undefined) {
    byStatus = new Map();
    byMethod.set(method, byStatus);
  }
  let series = byStatus.get(status);
  if (series === undefined) {
    const code = String(status);
    series = [httpRequests.series(method, route, code), httpDuration.series(method, route, code)];
    byStatus.set(status, series);
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
