import { describe, expect, it } from "bun:test";
import { LazyTraceContext } from "./lazy-context.ts";

describe("LazyTraceContext", () => {
  it("continues the caller's trace on first read and keeps the same span after", () => {
    const incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const ctx = new LazyTraceContext({ requestId: "r", incomingTraceparent: incoming });
    expect(ctx.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    const first = ctx.traceparent;
    expect(first).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(first).not.toContain("00f067aa0ba902b7");
    expect(ctx.traceparent).toBe(first);
  });

  it("starts a new trace without a header", () => {
    const ctx = new LazyTraceContext({
      requestId: "r",
      incomingTraceparent: null,
      clientIp: "203.0.113.9",
    });
    expect(ctx.traceparent.split("-")[1]).toBe(ctx.traceId);
    expect(ctx.traceId).not.toBe("0".repeat(32));
    expect(ctx.clientIp).toBe("203.0.113.9");
    expect({ ...ctx }).toMatchObject({ requestId: "r", userId: "" });
  });
});
