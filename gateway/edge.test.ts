// The gateway's edge: what contextHandler adds around the Elysia app (session guard first,
// request id, security and CORS headers, RED metrics), and that it stays on the fast path.
import { describe, expect, it } from "bun:test";
import { currentContext } from "../lib/context/request-context.ts";
import { createLogger } from "../lib/log/create-logger.ts";
import { registry } from "../lib/metrics/registry.ts";
import { offlineGateway } from "../test/support/offline-gateway.ts";
import { testSession } from "../test/support/session.ts";
import { contextHandler, fixedRoutes } from "./app.ts";
import { unroutedApi } from "./plugins/http-context.ts";

const ALLOWED = "http://localhost:5173";
const session = await testSession({ allowedOrigins: [ALLOWED], userPerMinute: 1000 });

const build = () => offlineGateway(session, { corsOrigins: [ALLOWED] });

/** An authenticated GET of an API path no route serves, with its own request id. */
const unroutedWith = (token: string, requestId: string) =>
  new Request("http://localhost/api/v1/nowhere", {
    headers: { authorization: `Bearer ${token}`, "x-request-id": requestId },
  });

describe("gateway edge", () => {
  it("answers an open route synchronously: no hook makes Elysia's path async", async () => {
    const { handle, clients } = build();
    const answer = handle(new Request("http://localhost/healthz"), "127.0.0.1");
    expect(answer).toBeInstanceOf(Response);
    expect(await (answer as Response).json()).toEqual({ status: "ok" });
    clients.close();
  });

  it("answers a routed path, a 404 and a known token's 404 synchronously", async () => {
    const { handle, clients } = build();
    const token = await session.sign("sync-user");
    const guarded = () =>
      handle(
        new Request("http://localhost/api/v1/nowhere", {
          headers: { authorization: `Bearer ${token}` },
        }),
      );
    await guarded(); // verifies the token once
    for (const answer of [
      guarded(),
      handle(new Request("http://localhost/healthz/")),
      handle(new Request("http://localhost/no/such/path")),
    ]) {
      expect(answer).toBeInstanceOf(Response);
    }
    const notFound = guarded() as Response;
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ detail: "not found", code: "NOT_FOUND" });
    clients.close();
  });

  it("answers the guard's refusals at the edge with the contract's body and every header", async () => {
    const { handle, clients } = build();
    const missing = handle(
      new Request("http://localhost/api/v1/users/me", {
        headers: { origin: ALLOWED, "x-request-id": "edge-401" },
      }),
    );
    expect(missing).toBeInstanceOf(Response);
    const response = missing as Response;
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      detail: "Missing Authorization header",
      code: "MISSING_TOKEN",
    });
    expect(response.headers.get("x-request-id")).toBe("edge-401");
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-type")).toContain("application/json");
    // The body limit still speaks first, as inside the app.
    const oversized = await handle(
      new Request("http://localhost/api/v1/scan", {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(2 << 20) },
        body: "x".repeat(2 << 20),
      }),
    );
    expect(oversized.status).toBe(413);
    clients.close();
  });

  it("refuses past the per-user limit with 429, Retry-After and RateLimit headers", async () => {
    const limited = await testSession({ userPerMinute: 2 });
    const { handle, clients } = offlineGateway(limited, { corsOrigins: [ALLOWED] });
    const token = await limited.sign("busy-user");
    const ask = () =>
      handle(
        new Request("http://localhost/api/v1/nowhere", {
          headers: { authorization: `Bearer ${token}` },
        }),
      );
    expect((await ask()).status).toBe(404);
    const last = await ask();
    expect(last.status).toBe(404);
    expect(last.headers.get("ratelimit-remaining")).toBe("0");
    const refused = await ask();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({
      detail: "too many requests, slow down",
      code: "RATE_LIMITED",
    });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("ratelimit-limit")).toBe("2");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(Number(refused.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    expect(refused.headers.get("x-content-type-options")).toBe("nosniff");
    clients.close();
    await limited.close();
  });

  it("refuses a request that reached the app without the guard", async () => {
    const { app, clients } = build();
    const response = await app.handle(new Request("http://localhost/api/v1/users/me"));
    expect(response.status).toBe(500);
    clients.close();
  });

  it("puts rate-limit, CORS, security headers and the request id on a guarded answer", async () => {
    const { handle, clients } = build();
    const token = await session.sign("edge-user");
    const response = await handle(
      new Request("http://localhost/api/v1/nowhere", {
        headers: { authorization: `Bearer ${token}`, origin: ALLOWED, "x-request-id": "edge-1" },
      }),
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "NOT_FOUND" });
    expect(response.headers.get("ratelimit-limit")).toBe("1000");
    expect(Number(response.headers.get("ratelimit-remaining"))).toBeLessThan(1000);
    expect(response.headers.get("x-request-id")).toBe("edge-1");
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-expose-headers")).toContain("ratelimit-remaining");
    expect(response.headers.get("vary")).toBe("Origin");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    clients.close();
  });

  it("sends no credential headers to a foreign or absent origin, and no policy to the docs", async () => {
    const { handle, clients } = build();
    for (const headers of [{ origin: "https://evil.example" }, {}] as Record<string, string>[]) {
      const response = await handle(new Request("http://localhost/healthz", { headers }));
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
      expect(response.headers.get("vary")).toBe("Origin");
    }
    const docs = await handle(new Request("http://localhost/openapi"));
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-security-policy")).toBeNull();
    expect(docs.headers.get("x-content-type-options")).toBe("nosniff");
    clients.close();
  });

  it("answers a preflight before the guard, with the full CORS policy", async () => {
    const { handle, clients } = build();
    const response = await handle(
      new Request("http://localhost/api/v1/users/me", {
        method: "OPTIONS",
        headers: { origin: ALLOWED, "access-control-request-method": "PATCH" },
      }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(response.headers.get("access-control-max-age")).toBe("600");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    clients.close();
  });

  it("counts requests per route template, and unmatched paths under one label", async () => {
    const { handle, clients } = build();
    await handle(new Request("http://localhost/healthz"));
    await handle(new Request("http://localhost/no/such/path/42"));
    const text = await registry.metrics();
    expect(text).toMatch(
      /eco2_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
    expect(text).toMatch(
      /eco2_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/,
    );
    expect(text).toMatch(
      /eco2_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
    clients.close();
  });

  it("answers an API path no route serves at the edge, exactly as the catch-all does", async () => {
    const { app, clients } = build();
    let routed = 0;
    const fetch = app.fetch;
    Object.defineProperty(app, "fetch", {
      value: (request: Request) => {
        routed++;
        return fetch(request);
      },
    });
    const handle = contextHandler(app);
    const token = await session.sign("unrouted-user");
    const ask = (path: string) =>
      handle(
        new Request(`http://localhost${path}`, {
          headers: { authorization: `Bearer ${token}`, origin: ALLOWED, "x-request-id": "u-1" },
        }),
      );
    await ask("/api/v1/nowhere"); // verifies the token once
    routed = 0;
    const edge = await ask("/api/v1/nowhere/at/all");
    expect(routed).toBe(0);
    // Under a served segment, the app's catch-all answers: the same answer, through Elysia.
    const app404 = await ask("/api/v1/scan/nowhere/at/all");
    expect(routed).toBe(1);
    for (const response of [edge, app404]) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: "not found", code: "NOT_FOUND" });
    }
    const names = (response: Response) =>
      [...response.headers.keys()].filter((name) => name !== "ratelimit-remaining");
    expect(names(edge)).toEqual(names(app404));
    expect(edge.headers.get("x-request-id")).toBe("u-1");
    expect(edge.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(edge.headers.get("ratelimit-limit")).toBe("1000");
    const text = await registry.metrics();
    expect(text).toMatch(
      /eco2_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/,
    );
    clients.close();
  });

  it("leaves oversized bodies and anything it cannot be sure of to the app", async () => {
    const { app, handle, clients } = build();
    const token = await session.sign("unrouted-413");
    const response = await handle(
      new Request("http://localhost/api/v1/nowhere", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-length": String(2 * 1024 * 1024) },
        body: "x",
      }),
    );
    expect(response.status).toBe(413);
    const unrouted = unroutedApi(app.routes.map((route) => route.path));
    expect(unrouted("/api/v1/nowhere")).toBe(true);
    expect(unrouted("/api/v1/nowhere/")).toBe(true);
    const odd = ["/api/v1/Scan", "/api/v1/Nowhere", "/api/v1/%73can", "/api/v1/no%20where"];
    for (const path of ["/api/v1/scan", "/api/v1/scan/x/y", ...odd]) {
      expect(unrouted(path)).toBe(false);
    }
    for (const path of ["/api/v1/", "/api/v2/nowhere", "/nowhere", "/healthz", ""]) {
      expect(unrouted(path)).toBe(false);
    }
    // The last answer is remembered; a path asked again, or after another, gets its own.
    const sequence = ["/api/v1/nowhere", "/api/v1/nowhere", "/api/v1/scan", "/api/v1/scan"];
    for (const path of [...sequence, "/api/v1/nowhere", "/api/v1/Nowhere", "/api/v1/nowhere"]) {
      expect(unrouted(path)).toBe(path === "/api/v1/nowhere");
    }
    expect(unroutedApi(["/api/v1/users/me", "/api/:version/x"])("/api/v1/nowhere")).toBe(false);
    expect(unroutedApi(["/api/v1/users/me", "/api/v1/*"])("/api/v1/nowhere")).toBe(false);
    expect(unroutedApi(["/api/v1/users/me", "/*"])("/api/v1/nowhere")).toBe(true);
    clients.close();
  });

  it("gives every answer built on a shared header block only its own request's values", async () => {
    const { handle, clients } = build();
    const token = await session.sign("scratch-user");
    const guarded = (id: string) => handle(unroutedWith(token, id)) as Response;
    await guarded("warm-up"); // verifies the token once
    const first = guarded("scratch-1");
    const second = guarded("scratch-2");
    const liveness = handle(new Request("http://localhost/healthz")) as Response;
    expect(first.headers.get("x-request-id")).toBe("scratch-1");
    expect(second.headers.get("x-request-id")).toBe("scratch-2");
    expect(Number(first.headers.get("ratelimit-remaining"))).toBe(
      Number(second.headers.get("ratelimit-remaining")) + 1,
    );
    expect(liveness.headers.get("x-request-id")).not.toMatch(/^scratch-/);
    expect(liveness.headers.get("ratelimit-limit")).toBeNull();
    expect(liveness.headers.get("ratelimit-remaining")).toBeNull();
    clients.close();
  });

  it("gives a server's fixed route the edge's own answer, and counts a HEAD as a HEAD", async () => {
    const { app, handle, clients } = build();
    const answer = fixedRoutes(app).get("/healthz");
    expect(answer).toBeDefined();
    const headers = { origin: ALLOWED, "x-request-id": "fixed-1" };
    const request = (method: string) =>
      new Request("http://localhost/healthz", { method, headers });
    const routed = answer!(request("GET"));
    const edged = handle(request("GET")) as Response;
    expect(routed.status).toBe(200);
    expect(Object.fromEntries(routed.headers)).toEqual(Object.fromEntries(edged.headers));
    expect(routed.headers.get("x-request-id")).toBe("fixed-1");
    expect(routed.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(await routed.text()).toBe(await edged.text());
    const line = /eco2_http_requests_total\{method="HEAD",route="\/healthz",status="200"\} (\d+)/;
    const heads = async () => Number(line.exec(await registry.metrics())?.[1] ?? 0);
    const before = await heads();
    answer!(request("HEAD"));
    expect(await heads()).toBe(before + 1);
    clients.close();
  });

  // The edge answers a request decided at once outside AsyncLocalStorage; whatever the guard
  // must wait for, or log, still happens inside the request's context.
  it("verifies a token it has not seen inside the request's context, so the JWKS fetch carries its id", async () => {
    const fetchedFor: (string | undefined)[] = [];
    const watched = await testSession({
      onJwksFetch: () => fetchedFor.push(currentContext()?.requestId),
    });
    const { handle, clients } = offlineGateway(watched);
    const token = await watched.sign("first-sight");
    const ask = (requestId: string) => handle(unroutedWith(token, requestId));
    const first = await ask("new-token-1");
    expect(first.status).toBe(404);
    expect(fetchedFor).toEqual(["new-token-1"]);
    const again = ask("known-token-2");
    expect(again).toBeInstanceOf(Response); // decided at once: no promise, no second fetch
    expect((again as Response).headers.get("x-request-id")).toBe("known-token-2");
    expect(fetchedFor).toEqual(["new-token-1"]);
    clients.close();
    await watched.close();
  });

  it("lets a request through when its limit cannot be counted, and logs it with the request's id", async () => {
    const lines: string[] = [];
    const log = createLogger({
      service: "edge-test",
      level: "warn",
      destination: { write: (line: string) => lines.push(line) },
    });
    const failing = await testSession({
      log,
      rateLimitNow: () => {
        throw new Error("window store down");
      },
    });
    const { handle, clients } = offlineGateway(failing);
    const token = await failing.sign("unlimited");
    const ask = (requestId: string) => handle(unroutedWith(token, requestId));
    await ask("warm-1"); // verifies the token
    lines.length = 0;
    const answer = await ask("unlimited-2");
    expect(answer.status).toBe(404);
    expect(answer.headers.get("ratelimit-remaining")).toBeNull();
    const warnings = lines.map((line) => JSON.parse(line));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      msg: "rate limit unavailable; request let through",
      request_id: "unlimited-2",
    });
    clients.close();
    await failing.close();
  });
});
