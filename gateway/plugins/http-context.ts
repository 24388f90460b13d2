import { Elysia } from "elysia";
import { currentContext, type RequestContext } from "../../lib/context/request-context.ts";
import { acceptRequestId, continueTrace } from "../../lib/context/traceparent.ts";
import { httpDuration, httpRequests } from "../../lib/metrics/registry.ts";
import { REQUEST_ID_HEADER, TRACEPARENT_HEADER } from "../../lib/rpc/call-context.ts";

/** contextFromRequest derives a request's id and trace from its headers (or makes new ones). */
export function contextFromRequest(request: Request, clientIp = ""): RequestContext {
  const trace = continueTrace(request.headers.get(TRACEPARENT_HEADER));
  return {
    requestId: acceptRequestId(request.headers.get(REQUEST_ID_HEADER)),
    traceparent: trace.traceparent,
    traceId: trace.traceId,
    userId: "",
    clientIp,
  };
}

const startedAt = new WeakMap<Request, number>();

/**
 * httpContext echoes the request id, and records RED metrics per route template (unmatched paths
 * share one label, so scanning for URLs cannot blow up the series count).
 */
export function httpContext() {
  return new Elysia({ name: "eco2/http-context" })
    .onRequest(({ request, set }) => {
      startedAt.set(request, performance.now());
      set.headers[REQUEST_ID_HEADER] = currentContext()?.requestId ?? acceptRequestId(null);
    })
    .onAfterResponse({ as: "global" }, ({ request, route, set }) => {
      const started = startedAt.get(request);
      const labels = {
        method: request.method,
        route: route || "unmatched",
        status: String(set.status ?? 200),
      };
      httpRequests.inc(labels);
      if (started !== undefined) httpDuration.observe(labels, (performance.now() - started) / 1000);
    });
}
