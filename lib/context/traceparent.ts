import { randomUUID } from "node:crypto";

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

const ZERO_TRACE = "0".repeat(32);

// randomUUID is several times cheaper than randomBytes per call on Bun, and this runs on every
// request; its 122 random bits are plenty for trace and span ids.
function randomHex(length: 16 | 32): string {
  const hex = randomUUID().replaceAll("-", "");
  return length === 32 ? hex : hex.slice(16);
}

export interface TraceContext {
  readonly traceparent: string;
  readonly traceId: string;
}

/**
 * continueTrace returns a child span of an incoming traceparent, or starts a new sampled trace
 * when the header is absent or malformed (W3C Trace Context §3.2: invalid headers are ignored).
 */
export function continueTrace(incoming: string | null | undefined): TraceContext {
  const match = incoming ? TRACEPARENT.exec(incoming.trim().toLowerCase()) : null;
  const traceId = match && match[2] !== ZERO_TRACE ? match[2]! : randomHex(32);
  const flags = match ? match[4]! : "01";
  const spanId = randomHex(16);
  return { traceparent: `00-${traceId}-${spanId}-${flags}`, traceId };
}

/** newRequestId makes an id for a request that arrived without one. */
export function newRequestId(): string {
  return randomUUID();
}

/** acceptRequestId keeps a caller's request id when it is a sane token, else makes a new one. */
export function acceptRequestId(incoming: string | null | undefined): string {
  return incoming && /^[A-Za-z0-9._:-]{1,128}$/.test(incoming) ? incoming : newRequestId();
}
