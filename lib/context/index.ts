export { LazyTraceContext } from "./lazy-context.ts";
export { currentContext, type RequestContext, runWithContext } from "./request-context.ts";
export {
  acceptRequestId,
  continueTrace,
  newRequestId,
  type TraceContext,
} from "./traceparent.ts";
