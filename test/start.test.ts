import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { request as httpRequest } from "node:http";
import { Validator } from "@seriousme/openapi-schema-validator";
import { SERVICE_NAMES, WORKER_NAMES } from "../catalog/components.ts";
import { devLogin } from "./support/dev-login.ts";
import {
  allInOneEnv,
  freePort,
  type RunningProcess,
  startProcess,
  waitFor,
} from "./support/processes.ts";
import { realServers, skipReason } from "./support/servers.ts";

const START = ["scripts/start.ts"];

/** signIn uses the embedded start's dev login and returns the access token. */
async function signIn(base: string, nickname = "start-test"): Promise<string> {
  return (await devLogin(base, nickname)).access_token;
}

describe("npm start (all in one process, embedded defaults)", () => {
  let system: RunningProcess;
  let base: string;
  let signedIn: { authorization: string };

  beforeAll(async () => {
    const env = await allInOneEnv();
    base = `http://localhost:${env.PORT}`;
    system = startProcess(START, env);
    await waitFor(
      async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined),
      20_000,
      "the gateway to answer /healthz",
    );
    signedIn = { authorization: `Bearer ${await signIn(base)}` };
  }, 30_000);

  afterAll(async () => {
    system.child.kill("SIGKILL");
  });

  it("prints where the API and the docs are", async () => {
    await waitFor(() => (system.output().includes("/openapi") ? true : undefined), 5000, "banner");
    expect(system.output()).toContain(`${base}/api/v1`);
    expect(system.output()).toContain(`${base}/openapi`);
  });

  it("answers /healthz on Bun's own route as the app would, and other methods through the app", async () => {
    const response = await fetch(`${base}/healthz`, { headers: { "x-request-id": "start-1" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(response.headers.get("x-request-id")).toBe("start-1");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("vary")).toBe("Origin");
    const head = await fetch(`${base}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    // Bun's route takes only GET and HEAD of the exact path; the rest go to the app, as before.
    const post = await fetch(`${base}/healthz`, { method: "POST" });
    expect(post.status).toBe(404);
    expect((await post.json()).code).toBe("NOT_FOUND");
    const slash = await fetch(`${base}/healthz/`, { headers: { "x-request-id": "start-2" } });
    expect(slash.status).toBe(200);
    expect(slash.headers.get("x-request-id")).toBe("start-2");
  });

  it("lists all seven services and both workers as ready on /readyz", async () => {
    const response = await fetch(`${base}/readyz`);
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(Object.keys(body.services).sort()).toEqual([...SERVICE_NAMES].sort());
    expect(Object.keys(body.workers).sort()).toEqual([...WORKER_NAMES].sort());
    for (const state of [...Object.values(body.services), ...Object.values(body.workers)]) {
      expect(state).toBe("SERVING");
    }
    // With no URLs set, the embedded database, cache and broker are the dependencies.
    expect(body.gateway.dependencies).toEqual({
      postgres: { ok: true },
      redis: { ok: true },
      rabbitmq: { ok: true },
    });
  });

  it("serves a valid OpenAPI 3.1 document and the docs page", async () => {
    const document = await (await fetch(`${base}/openapi/json`)).json();
    expect(document.openapi).toStartWith("3.1");
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const page = await fetch(`${base}/openapi`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    // Offline: every script the page loads comes from this gateway.
    const html = await page.text();
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(["/openapi/assets/scalar.js"]);
    const ui = await fetch(`${base}${scripts[0]}`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get("content-type")).toContain("javascript");
    expect((await ui.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
  });

  it("serves the character catalog and the disposal guides over real gRPC", async () => {
    const anonymous = await fetch(`${base}/api/v1/character/catalog`);
    expect(anonymous.status).toBe(401);
    const catalog = await fetch(`${base}/api/v1/character/catalog`, { headers: signedIn });
    expect(catalog.status).toBe(200);
    const characters = await catalog.json();
    expect(characters).toHaveLength(13);
    expect(characters[0]).toMatchObject({ name: "이코", match: null });
    const guides = await (await fetch(`${base}/api/v1/info/guides`, { headers: signedIn })).json();
    expect(guides.guides).toHaveLength(18);
    const search = await fetch(`${base}/api/v1/info/search?q=${encodeURIComponent("페트병")}`, {
      headers: signedIn,
    });
    expect((await search.json()).matches[0].key).toBe("재활용폐기물_무색페트병");
    const guide = await fetch(`${base}/api/v1/info/guides/${encodeURIComponent("대형폐기물")}`, {
      headers: signedIn,
    });
    expect((await guide.json()).document.이름).toBe("대형폐기물");
  });

  it("shows the bundled sample news on a start that reaches no feed, and the categories", async () => {
    const page = await (
      await fetch(`${base}/api/v1/info/news?limit=50`, { headers: signedIn })
    ).json();
    const samples = page.articles.filter((a: { title: string }) => a.title.startsWith("[예시]"));
    expect(samples.length).toBeGreaterThanOrEqual(8);
    expect(samples[0]).toMatchObject({ source: "rss", source_name: "이코에코 예시 기사 (샘플)" });
    const categories = await (
      await fetch(`${base}/api/v1/info/categories`, { headers: signedIn })
    ).json();
    expect(categories.categories.map((c: { id: string }) => c.id)).toEqual([
      "all",
      "environment",
      "energy",
      "ai",
    ]);
  });

  it("answers the chat list over real gRPC, and bad JSON with 400", async () => {
    const chats = await fetch(`${base}/api/v1/chat`, { headers: signedIn });
    expect(chats.status).toBe(200);
    expect(await chats.json()).toEqual({ chats: [], next_cursor: null });
    const malformed = await fetch(`${base}/api/v1/scan`, {
      method: "POST",
      headers: { "content-type": "application/json", ...signedIn },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: "INVALID_BODY" });
  });

  it("exports RED metrics per route and per RPC", async () => {
    await fetch(`${base}/readyz`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('eco2_http_requests_total{method="GET",route="/readyz",status="200"}');
    expect(text).toMatch(
      /eco2_rpc_server_handled_total\{service="grpc.health.v1.Health",method="Check",code="OK"\} \d+/,
    );
    expect(text).toMatch(
      /eco2_rpc_client_handled_total\{service="grpc.health.v1.Health",method="Check",code="OK"\} \d+/,
    );
  });
});

describe("npm start keeps sessions across a restart", () => {
  it("signs tokens with a key kept under DATA_DIR, so a restart does not sign anyone out", async () => {
    const env = await allInOneEnv();
    const base = `http://localhost:${env.PORT}`;
    const ready = () =>
      waitFor(
        async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
        30_000,
        "the system to be ready",
      );
    const first = startProcess(START, env);
    await ready();
    const token = await signIn(base, "restart-test");
    first.child.kill("SIGTERM");
    expect((await first.exited).code).toBe(0);
    const second = startProcess(START, env);
    try {
      await ready();
      const me = await fetch(`${base}/api/v1/users/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(me.status).toBe(200);
      expect((await me.json()).nickname).toBe("restart-test");
    } finally {
      second.child.kill("SIGKILL");
    }
  }, 90_000);
});

const realSkip =
  skipReason(realServers.databaseUrl, "DATABASE_URL") ??
  skipReason(realServers.redisUrl, "REDIS_URL") ??
  skipReason(realServers.amqpUrl, "AMQP_URL");

describe(`npm start on the real servers ${realSkip ?? ""}`, () => {
  it.skipIf(realSkip !== undefined)(
    "uses PostgreSQL, Redis and RabbitMQ when their URLs are set, and readiness follows them",
    async () => {
      const env = await allInOneEnv({
        LOG_LEVEL: "info",
        DATABASE_URL: realServers.databaseUrl!,
        REDIS_URL: realServers.redisUrl!,
        AMQP_URL: realServers.amqpUrl!,
      });
      const system = startProcess(START, env);
      try {
        const base = `http://127.0.0.1:${env.PORT}`;
        const body = await waitFor(
          async () => {
            const response = await fetch(`${base}/readyz`);
            return response.status === 200 ? response.json() : undefined;
          },
          20_000,
          "readiness on the real servers",
        );
        expect(body.gateway.dependencies.postgres.ok).toBe(true);
        expect(system.output()).toContain(
          '"database":"postgresql","cache":"redis","bus":"rabbitmq"',
        );
      } finally {
        system.child.kill("SIGKILL");
      }
    },
    40_000,
  );

  it.skipIf(realSkip !== undefined)(
    "is not ready while the broker cannot be reached",
    async () => {
      const env = await allInOneEnv({
        DATABASE_URL: realServers.databaseUrl!,
        REDIS_URL: realServers.redisUrl!,
        AMQP_URL: `amqp://guest:guest@127.0.0.1:${await freePort()}`,
      });
      const system = startProcess(START, env);
      try {
        const base = `http://127.0.0.1:${env.PORT}`;
        const body = await waitFor(
          async () => {
            const response = await fetch(`${base}/readyz`);
            return response.status === 503 ? response.json() : undefined;
          },
          20_000,
          "a not-ready answer",
        );
        expect(body.status).toBe("not_ready");
        expect(body.gateway.dependencies.rabbitmq.ok).toBe(false);
        expect(body.gateway.dependencies.postgres.ok).toBe(true);
        expect(body.services.auth).toBe("NOT_SERVING");
      } finally {
        system.child.kill("SIGKILL");
      }
    },
    40_000,
  );
});

type Outcome =
  | { kind: "response"; status: number }
  | { kind: "refused" }
  | { kind: "lost"; error: string };

// One request on a fresh connection: a refused connect was never accepted, while a reset or a
// hang-up after connecting means an accepted request was dropped.
function oneRequest(port: number, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path, agent: false, headers: { connection: "close" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ kind: "response", status: res.statusCode ?? 0 }));
        res.on("error", (err) => resolve({ kind: "lost", error: String(err) }));
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) =>
      resolve(
        err.code === "ECONNREFUSED"
          ? { kind: "refused" }
          : { kind: "lost", error: `${err.code} ${err.message}` },
      ),
    );
    req.end();
  });
}

describe("graceful shutdown", () => {
  it("completes every accepted request during a burst and exits 0 within the drain deadline", async () => {
    const deadlineMs = 5000;
    const env = await allInOneEnv({ SHUTDOWN_DEADLINE_MS: String(deadlineMs), LOG_LEVEL: "info" });
    const port = Number(env.PORT);
    const system = startProcess(START, env);
    await waitFor(
      async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined),
      20_000,
      "the gateway",
    );
    const outcomes: Outcome[] = [];
    let stop = false;
    let signalledAt = 0;
    // 32 clients fire /readyz (which fans out to nine gRPC health checks) back to back.
    const clients = Array.from({ length: 32 }, async () => {
      while (!stop) {
        const outcome = await oneRequest(port, "/readyz");
        outcomes.push(outcome);
        if (outcome.kind === "refused") break;
        if (outcomes.length === 300 && signalledAt === 0) {
          signalledAt = performance.now();
          system.child.kill("SIGTERM");
        }
      }
    });
    const exit = await system.exited;
    stop = true;
    await Promise.all(clients);

    // The gateway reports how many requests it accepted and completed. A connection still in the
    // kernel's backlog when the listener closes is reset before the app ever saw it; that is a
    // refusal, not a lost request, so the check is: everything the app accepted was answered.
    const drained = system
      .output()
      .split("\n")
      .filter((line) => line.includes('"gateway drained"'))
      .map((line) => JSON.parse(line))[0];
    const answered = outcomes.filter((o) => o.kind === "response");
    expect(signalledAt).toBeGreaterThan(0);
    expect(drained).toBeDefined();
    expect(drained.completed_requests).toBe(drained.accepted_requests);
    // +1: the /healthz probe that waited for start-up was accepted and answered too.
    expect(answered.length + 1).toBe(drained.accepted_requests);
    expect(answered.length).toBeGreaterThanOrEqual(300);
    for (const outcome of answered) {
      // 503 is a complete answer too: readiness turns false the moment shutdown begins.
      expect([200, 503]).toContain((outcome as { status: number }).status);
    }
    expect(exit.code).toBe(0);
    expect(exit.atMs - signalledAt).toBeLessThan(deadlineMs);
  }, 60_000);
});

describe("configuration errors", () => {
  it("PORT=abc stops npm start with one line naming PORT", async () => {
    const system = startProcess(START, { ...(await allInOneEnv()), PORT: "abc" });
    const exit = await system.exited;
    expect(exit.code).not.toBe(0);
    const lines = system.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("PORT");
    expect(lines[0]).toContain('"abc"');
  });

  it("names every bad variable at once", async () => {
    const system = startProcess(START, {
      ...(await allInOneEnv()),
      LOG_LEVEL: "loud",
      RPC_TRANSPORT: "carrier-pigeon",
    });
    const exit = await system.exited;
    expect(exit.code).not.toBe(0);
    const lines = system.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("LOG_LEVEL");
    expect(lines[0]).toContain("RPC_TRANSPORT");
    expect(lines[0]).toContain("one of grpc-js, connect");
  });

  for (const entry of ["services/scan/main.ts", "workers/ai/main.ts", "gateway/main.ts"]) {
    it(`${entry} refuses a malformed port with one line`, async () => {
      const system = startProcess([entry], { GRPC_PORT: "70000", PORT: "-1", LOG_LEVEL: "warn" });
      const exit = await system.exited;
      expect(exit.code).not.toBe(0);
      const lines = system.output().trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/(GRPC_PORT|PORT) must be a TCP port number 1-65535/);
    });
  }
});
