import { afterAll, describe, expect, it } from "bun:test";
import type { RequestContext } from "../lib/context/request-context.ts";
import { offlineGateway } from "../test/support/offline-gateway.ts";
import { testSession } from "../test/support/session.ts";
import { accessOf, clientAddress, parseCookies } from "./session-guard.ts";

const session = await testSession({ authPerMinute: 2, userPerMinute: 3 });
const { fetch: handle, clients } = offlineGateway(session);

afterAll(async () => {
  clients.close();
  await session.close();
});

describe("the session guard", () => {
  it("classifies routes: open, the public login routes, and the rest behind a session", () => {
    expect(accessOf("GET", "/healthz")).toBe("open");
    expect(accessOf("GET", "/media/scan/a.png")).toBe("open");
    expect(accessOf("OPTIONS", "/api/v1/users/me")).toBe("open");
    expect(accessOf("GET", "/api/v1/auth/kakao")).toBe("login");
    expect(accessOf("GET", "/api/v1/auth/naver/callback")).toBe("login");
    expect(accessOf("POST", "/api/v1/auth/refresh")).toBe("login");
    expect(accessOf("GET", "/api/v1/auth/.well-known/jwks.json")).toBe("login");
    expect(accessOf("GET", "/api/v1/info/guides")).toBe("session");
    expect(accessOf("GET", "/api/v1/locations/centers")).toBe("session");
    expect(accessOf("POST", "/api/v1/images/scan")).toBe("session");
    expect(accessOf("GET", "/api/v1/scan/abc/events")).toBe("session");
  });

  it("limits the login routes per client address with 429, Retry-After and RateLimit headers", async () => {
    const from = (ip: string) =>
      handle(new Request("http://localhost/api/v1/auth/.well-known/jwks.json"), ip);
    expect((await from("198.51.100.1")).status).not.toBe(429);
    const second = await from("198.51.100.1");
    expect(second.headers.get("ratelimit-limit")).toBe("2");
    expect(second.headers.get("ratelimit-remaining")).toBe("0");
    const third = await from("198.51.100.1");
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ code: "RATE_LIMITED" });
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(third.headers.get("ratelimit-remaining")).toBe("0");
    expect((await from("198.51.100.2")).status).not.toBe(429);
  });

  it("limits everything else per user, whatever address they come from", async () => {
    const token = await session.sign("limited-user");
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await handle(
        new Request("http://localhost/api/v1/nowhere", {
          headers: { authorization: `Bearer ${token}` },
        }),
        `203.0.113.${i}`,
      );
      statuses.push(response.status);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
    const other = await session.sign("another-user");
    const fresh = await handle(
      new Request("http://localhost/api/v1/nowhere", {
        headers: { authorization: `Bearer ${other}` },
      }),
    );
    expect(fresh.status).toBe(404);
  });

  it("reads the Bearer token the same way before and after it is remembered", async () => {
    const token = await session.sign("header-forms-user");
    // This session allows 3 requests a minute: a 429 means the token was read and accepted.
    const code = async (authorization: string) => {
      const response = await handle(
        new Request("http://localhost/api/v1/nowhere", { headers: { authorization } }),
      );
      return response.status === 401 ? (await response.json()).code : "ACCEPTED";
    };
    // Twice each: the first verifies the token, the second finds it among those verified.
    for (let round = 0; round < 2; round++) {
      expect(await code(`bearer ${token}`)).toBe("ACCEPTED");
      expect(await code(`Bearer \t ${token}`)).toBe("ACCEPTED");
      expect(await code(`Bearer ${token}`)).toBe("ACCEPTED");
      expect(await code(`Bearer ${token} extra`)).toBe("MISSING_TOKEN");
      expect(await code(`Bearer ${token}x`)).toBe("INVALID_TOKEN");
      expect(await code(`Basic ${token}`)).toBe("MISSING_TOKEN");
      expect(await code("Bearer")).toBe("MISSING_TOKEN");
    }
  });

  it("answers 403 only for a revoked token", async () => {
    const token = await session.sign("revoked-user");
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    await session.revocations.revoke({
      kind: "token",
      jti: claims.jti,
      expiresAtMs: claims.exp * 1000,
    });
    const response = await handle(
      new Request("http://localhost/api/v1/nowhere", {
        headers: { authorization: `Bearer ${token}` },
      }),
    );
    expect(response.status).toBe(403);
    expect((await response.json()).code).toBe("TOKEN_REVOKED");
  });

  it("gives a WebSocket upgrade a check that ends with its session (revoked here), and nothing else one", async () => {
    const token = await session.sign("socket-user");
    const guarded = (upgrade: boolean) => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (upgrade) Object.assign(headers, { upgrade: "websocket", connection: "Upgrade" });
      return {
        request: new Request("http://localhost/api/v1/chat/ws", { headers }),
        path: "/api/v1/chat/ws",
        clientIp: "198.51.100.9",
        context: { requestId: "r", traceparent: "", traceId: "", userId: "" } as RequestContext,
      };
    };
    const plain = guarded(false);
    await session.guard.decide(plain);
    expect(plain.context.sessionCheck).toBeUndefined();
    const socket = guarded(true);
    await session.guard.decide(socket);
    expect(socket.context.userId).toBe("socket-user");
    expect(socket.context.sessionCheck?.()).toBeUndefined();
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    await session.revocations.revoke({
      kind: "token",
      jti: claims.jti,
      expiresAtMs: claims.exp * 1000,
    });
    expect(socket.context.sessionCheck?.()).toBe("TOKEN_REVOKED");
  });

  it("reads cookies and the client address it can trust", () => {
    expect(parseCookies('a=1; s_access="x%20y"; a=2').get("s_access")).toBe("x y");
    expect(parseCookies("a=1; a=2").get("a")).toBe("1");
    const request = new Request("http://localhost/", {
      headers: { "x-forwarded-for": "1.1.1.1, 2.2.2.2, 3.3.3.3" },
    });
    expect(clientAddress(request, "10.0.0.5", 0)).toBe("10.0.0.5");
    expect(clientAddress(request, "10.0.0.5", 1)).toBe("3.3.3.3");
    expect(clientAddress(request, "10.0.0.5", 2)).toBe("2.2.2.2");
    expect(clientAddress(new Request("http://localhost/"), "10.0.0.5", 1)).toBe("10.0.0.5");
  });
});
