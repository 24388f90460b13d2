import { describe, expect, it } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { Readiness } from "../lib/health/readiness.ts";
import { domainError } from "../lib/rpc/index.ts";
import { offlineGateway } from "../test/support/offline-gateway.ts";
import { testSession } from "../test/support/session.ts";
import { codeToHttpStatus, httpErrorFromRpc } from "./http-status.ts";

const ALLOWED = "http://localhost:5173";

const session = await testSession({ allowedOrigins: [ALLOWED] });

function gateway(readiness = new Readiness()) {
  return offlineGateway(session, { readiness, corsOrigins: [ALLOWED], hsts: true });
}

describe("gateway core", () => {
  it("answers /healthz without touching any service", async () => {
    const { fetch, clients } = gateway();
    const response = await fetch(new Request("http://localhost/healthz"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    clients.close();
  });

  it("reports not ready, naming each unreachable component", async () => {
    const { fetch, clients } = gateway();
    const response = await fetch(new Request("http://localhost/readyz"));
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body.status).toBe("not_ready");
    expect(body.services.auth).toBe("UNREACHABLE");
    expect(body.workers.ai).toBe("UNREACHABLE");
    clients.close();
  });

  it("reports not ready once shutdown has begun", async () => {
    const readiness = new Readiness();
    readiness.markShuttingDown();
    const { fetch, clients } = gateway(readiness);
    const body = await (await fetch(new Request("http://localhost/readyz"))).json();
    expect(body.gateway).toEqual({ ready: false, shutting_down: true, dependencies: {} });
    clients.close();
  });

  it("answers an unknown route 404 with the contract's error body", async () => {
    const { fetch, clients } = gateway();
    const response = await fetch(
      new Request("http://localhost/api/v1/nowhere", {
        headers: { authorization: `Bearer ${await session.sign()}` },
      }),
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "not found", code: "NOT_FOUND" });
    const outside = await fetch(new Request("http://localhost/nowhere"));
    expect(outside.status).toBe(404);
    clients.close();
  });

  it("mounts dev login only when asked to (AUTH_DEV_LOGIN)", async () => {
    const { fetch, clients } = gateway();
    const response = await fetch(
      new Request("http://localhost/api/v1/auth/dev/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ nickname: "intruder" }),
      }),
    );
    expect(response.status).toBe(404);
    clients.close();
  });

  it("asks an anonymous caller to sign in before anything else, with CORS headers", async () => {
    const { fetch, clients } = gateway();
    const response = await fetch(
      new Request("http://localhost/api/v1/nowhere", { headers: { origin: ALLOWED } }),
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      detail: "Missing Authorization header",
      code: "MISSING_TOKEN",
    });
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    clients.close();
  });

  it("echoes a caller's request id and makes one when absent", async () => {
    const { fetch, clients } = gateway();
    const given = await fetch(
      new Request("http://localhost/healthz", { headers: { "x-request-id": "abc-123" } }),
    );
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const made = await fetch(new Request("http://localhost/healthz"));
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await fetch(
      new Request("http://localhost/healthz", { headers: { "x-request-id": "a b\u0001<script>" } }),
    );
    expect(hostile.headers.get("x-request-id")).not.toContain("<script>");
    clients.close();
  });

  it("sends security headers", async () => {
    const { fetch, clients } = gateway();
    const response = await fetch(new Request("http://localhost/healthz"));
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(response.headers.get("strict-transport-security")).toContain("max-age=");
    clients.close();
  });

  it("allows credentials only for listed origins", async () => {
    const { fetch, clients } = gateway();
    const preflight = await fetch(
      new Request("http://localhost/api/v1/users/me", {
        method: "OPTIONS",
        headers: { origin: ALLOWED, "access-control-request-method": "PATCH" },
      }),
    );
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("PATCH");
    const foreign = await fetch(
      new Request("http://localhost/healthz", { headers: { origin: "https://evil.example" } }),
    );
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    clients.close();
  });
});

describe("gRPC → HTTP error table", () => {
  it("maps the codes the contract depends on", () => {
    expect(codeToHttpStatus(Code.InvalidArgument)).toBe(400);
    expect(codeToHttpStatus(Code.Unauthenticated)).toBe(401);
    expect(codeToHttpStatus(Code.NotFound)).toBe(404);
    expect(codeToHttpStatus(Code.AlreadyExists)).toBe(409);
    expect(codeToHttpStatus(Code.ResourceExhausted)).toBe(429);
    expect(codeToHttpStatus(Code.Unimplemented)).toBe(501);
    expect(codeToHttpStatus(Code.Unavailable)).toBe(503);
    expect(codeToHttpStatus(Code.DeadlineExceeded)).toBe(504);
  });

  it("passes a domain code through and hides internal messages", () => {
    expect(
      httpErrorFromRpc(domainError(Code.NotFound, "CHAT_NOT_FOUND", "chat not found")),
    ).toEqual({
      status: 404,
      code: "CHAT_NOT_FOUND",
      detail: "chat not found",
    });
    expect(
      httpErrorFromRpc(domainError(Code.InvalidArgument, "NO_CHANGES_PROVIDED", "nothing")),
    ).toEqual({
      status: 422,
      code: "NO_CHANGES_PROVIDED",
      detail: "nothing",
    });
    expect(httpErrorFromRpc(new ConnectError("db password is hunter2", Code.Internal))).toEqual({
      status: 500,
      code: "INTERNAL",
      detail: "internal error",
    });
    expect(httpErrorFromRpc(new ConnectError("later", Code.Unimplemented)).status).toBe(501);
    const down = httpErrorFromRpc(
      new ConnectError(
        "No connection established. Last error: ECONNREFUSED 127.0.0.1:1",
        Code.Unavailable,
      ),
    );
    expect(down.status).toBe(503);
    expect(down.detail).not.toContain("127.0.0.1");
  });
});
