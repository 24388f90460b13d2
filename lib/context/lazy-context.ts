import type { RequestContext } from "./request-context.ts";
import { continueTrace, type TraceContext } from "./traceparent.ts";

/**
 * LazyTraceContext is a RequestContext whose child span is made on first read. Most requests
 * (health checks, cache hits, refusals) never log or call out, and making span ids for each was
 * ~8 % of a gateway request in a CPU profile; the result is the same whenever it is read.
 */
export class LazyTraceContext implements RequestContext {
  readonly requestId: string;
  userId: string;
  authProvider?: string;
  readonly #incoming: string | null | undefined;
  #trace: TraceContext | undefined;
  readonly #clientIp: string;
  #resolvedIp: string | undefined;

  constructor(fields: {
    requestId: string;
    /** The caller's traceparent header, if any. */
    incomingTraceparent: string | null | undefined;
    userId?: string;
    authProvider?: string;
    /** The client's address. */
    clientIp?: string;
  }) {
    this.requestId = fields.requestId;
    this.#incoming = fields.incomingTraceparent;
    this.userId = fields.userId ?? "";
    this.authProvider = fields.authProvider;
    this.#clientIp = fields.clientIp ?? "";
  }

  get traceparent(): string {
    this.#trace ??= continueTrace(this.incomingTraceparent());
    return this.#trace.traceparent;
  }

  get traceId(): string {
    this.#trace ??= continueTrace(this.incomingTraceparent());
    return this.#trace.traceId;
  }

  get clientIp(): string {
    this.#resolvedIp ??= this.resolveClientIp();
    return this.#resolvedIp;
  }

  /** The caller's traceparent, read once when the span is first needed (a subclass may defer it). */
  protected incomingTraceparent(): string | null | undefined {
    return this.#incoming;
  }

  /** The client's address, asked at most once (a subclass may learn it its own way). */
  protected resolveClientIp(): string {
    return this.#clientIp;
  }
}
