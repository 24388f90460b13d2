import { describe, expect, it } from "bun:test";
import { GatewayContext } from "./http-context.ts";

const TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

function countingServer(address: string) {
  const server = {
    asked: 0,
    requestIP(_request: Request) {
      server.asked++;
      return { address };
    },
  };
  return server;
}

describe("GatewayContext", () => {
  it("keeps a sane request id and replaces anything else", () => {
    const sent = new GatewayContext(
      new Request("http://gw/x", { headers: { "x-request-id": "abc-123" } }),
    );
    expect(sent.requestId).toBe("abc-123");
    const bad = new GatewayContext(
      new Request("http://gw/x", { headers: { "x-request-id": "has space" } }),
    );
    expect(bad.requestId).not.toBe("has space");
    expect(bad.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("continues the caller's trace, read from the request when first asked for", () => {
    const context = new GatewayContext(
      new Request("http://gw/x", { headers: { traceparent: TRACE } }),
    );
    expect(context.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(context.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(context.traceparent).not.toContain("00f067aa0ba902b7");
  });

  it("asks the server for the client's address once, and only when read", () => {
    const server = countingServer("10.0.0.5");
    const context = new GatewayContext(new Request("http://gw/x"), server);
    expect(server.asked).toBe(0);
    expect(context.clientIp).toBe("10.0.0.5");
    expect(context.clientIp).toBe("10.0.0.5");
    expect(server.asked).toBe(1);
  });

  it("takes the address the trusted proxies appended, not what the client forged", () => {
    const request = new Request("http://gw/x", {
      headers: { "x-forwarded-for": "1.1.1.1, 2.2.2.2, 3.3.3.3" },
    });
    expect(new GatewayContext(request, "10.0.0.5", 1).clientIp).toBe("3.3.3.3");
    expect(new GatewayContext(request, "10.0.0.5", 2).clientIp).toBe("2.2.2.2");
    expect(new GatewayContext(request, countingServer("10.0.0.5"), 0).clientIp).toBe("10.0.0.5");
  });
});
