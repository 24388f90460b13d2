import { describe, expect, it } from "bun:test";
import { acceptRequestId, continueTrace } from "./traceparent.ts";

const FORMAT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

describe("continueTrace", () => {
  it("keeps the caller's trace id and flags and makes a new span", () => {
    const incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const next = continueTrace(incoming);
    expect(next.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(next.traceparent).toMatch(FORMAT);
    expect(next.traceparent.split("-")[2]).not.toBe("00f067aa0ba902b7");
    expect(next.traceparent.endsWith("-01")).toBe(true);
  });

  it("starts a new trace for a missing, malformed or all-zero header", () => {
    for (const bad of [undefined, "", "garbage", `00-${"0".repeat(32)}-00f067aa0ba902b7-01`]) {
      const next = continueTrace(bad);
      expect(next.traceparent).toMatch(FORMAT);
      expect(next.traceId).not.toBe("0".repeat(32));
    }
    expect(continueTrace(undefined).traceId).not.toBe(continueTrace(undefined).traceId);
  });
});

describe("acceptRequestId", () => {
  it("keeps a sane id and replaces anything else", () => {
    expect(acceptRequestId("req-1.2:3")).toBe("req-1.2:3");
    expect(acceptRequestId("has space")).not.toBe("has space");
    expect(acceptRequestId("x".repeat(200))).toHaveLength(36);
  });
});
