import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createMemoryCache } from "../../lib/cache/create-memory-cache.ts";
import { MemoryCacheStore } from "../../lib/cache/memory-cache-store.ts";
import { Readiness } from "../../lib/health/index.ts";
import {
  CHAT_A,
  type ChatDouble,
  FOREIGN_IMAGE,
  startChatDouble,
} from "../../test/support/chat-double.ts";
import { testSession } from "../../test/support/session.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { readEvents } from "../../test/support/sse.ts";
import { createApp, fetchWithContext } from "../app.ts";
import { ChatMessageLimit } from "../chat-message-limit.ts";
import { createServiceClients, type ServiceClients } from "../clients.ts";

const LIMIT = 5;
let double: ChatDouble;
let clients: ServiceClients;
let session: Awaited<ReturnType<typeof testSession>>;
let cache: ReturnType<typeof createMemoryCache>;
let fetchApp: (request: Request) => Promise<Response>;
let tokens: Record<string, string>;

beforeAll(async () => {
  double = await startChatDouble({ tokens: 5, intervalMs: 2 });
  clients = createServiceClients({
    transport: "grpc-js",
    timeoutMs: 2000,
    address: () => `127.0.0.1:${double.server.port}`,
  });
  session = await testSession();
  cache = createMemoryCache({ log: silentLog, store: new MemoryCacheStore() });
  tokens = {};
  for (const user of ["user-1", "user-2", "user-3"]) tokens[user] = await session.sign(user);
  const app = createApp({
    clients,
    guard: session.guard,
    readiness: new Readiness(),
    log: silentLog,
    corsOrigins: [],
    hsts: false,
    chatMessageLimit: new ChatMessageLimit({ cache, perMinute: LIMIT, log: silentLog }),
  });
  fetchApp = fetchWithContext(app);
});

afterAll(async () => {
  clients.close();
  double.stop();
  await session.close();
  await cache.close();
});

function call(path: string, init: RequestInit & { user?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${tokens[init.user ?? "user-1"]}`);
  return fetchApp(new Request(`http://localhost${path}`, { ...init, headers }));
}

function post(path: string, body: unknown, user = "user-1") {
  const bytes =
    body instanceof Uint8Array
      ? body
      : new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body));
  // A client declares its body's length; the body limit reads the declaration.
  return call(path, {
    method: "POST",
    user,
    headers: { "content-type": "application/json", "content-length": String(bytes.length) },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
}

async function submit(message = "페트병은 어떻게 버려?", user = "user-1") {
  const response = await post(`/api/v1/chat/${CHAT_A}/messages`, { message }, user);
  expect(response.status).toBe(200);
  return ((await response.json()) as { job_id: string }).job_id;
}

describe("GET /api/v1/chat/{job_id}/events", () => {
  it("streams the job's events as SSE frames (name, id, data) until done", async () => {
    const jobId = await submit();
    const response = await call(`/api/v1/chat/${jobId}/events`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const events = await readEvents(response, () => false, 5000);
    expect(events.map((e) => e.event)).toEqual([
      "queued",
      "intent",
      "answer",
      "token",
      "token",
      "token",
      "token",
      "token",
      "answer",
      "done",
    ]);
    for (const event of events) {
      expect(event.id).toBe(event.data.stream_id);
      expect(event.data.job_id).toBe(jobId);
    }
  });

  it("passes Last-Event-ID and the legacy last_token_seq to WatchJob", async () => {
    const jobId = await submit();
    const resumed = await call(`/api/v1/chat/${jobId}/events`, {
      headers: { "last-event-id": "1700000000004-0" },
    });
    const events = await readEvents(resumed, () => false, 5000);
    expect(events[0]!.id).toBe("1700000000005-0");
    expect(double.watches.at(-1)).toMatchObject({
      jobId,
      lastEventId: "1700000000004-0",
      lastTokenSeq: 0,
    });
    const legacy = await call(`/api/v1/chat/${jobId}/events?last_token_seq=1003`);
    await readEvents(legacy, () => false, 5000);
    expect(double.watches.at(-1)).toMatchObject({ jobId, lastTokenSeq: 1003 });
  });

  it("a short job id is 400 INVALID_JOB_ID; someone else's job is 404 before any stream", async () => {
    const short = await call("/api/v1/chat/abc/events");
    expect(short.status).toBe(400);
    expect(await short.json()).toEqual({ detail: "job_id is too short", code: "INVALID_JOB_ID" });
    const jobId = await submit();
    const watchesBefore = double.watches.length;
    const stolen = await call(`/api/v1/chat/${jobId}/events`, { user: "user-2" });
    expect(stolen.status).toBe(404);
    expect(((await stolen.json()) as { code: string }).code).toBe("JOB_NOT_FOUND");
    expect(double.watches.length).toBe(watchesBefore);
  });
});

describe("GET /api/v1/chat/ws outside a WebSocket runtime", () => {
  it("a plain GET is 426; an upgrade without a runtime socket is 501; anonymous is 401", async () => {
    const plain = await call("/api/v1/chat/ws");
    expect(plain.status).toBe(426);
    expect(((await plain.json()) as { code: string }).code).toBe("UPGRADE_REQUIRED");
    const upgrade = await call("/api/v1/chat/ws", {
      headers: { upgrade: "websocket", connection: "Upgrade" },
    });
    expect(upgrade.status).toBe(501);
    const anonymous = await fetchApp(
      new Request("http://localhost/api/v1/chat/ws", { headers: { upgrade: "websocket" } }),
    );
    expect(anonymous.status).toBe(401);
  });
});

describe("POST /api/v1/chat/{chat_id}/messages: hostile input", () => {
  const path = `/api/v1/chat/${CHAT_A}/messages`;

  it("a 1 MB message is 422 with a code; a body over the limit is 413", async () => {
    const huge = await post(path, { message: "a".repeat(1_000_000) });
    expect(huge.status).toBe(422);
    const body = (await huge.json()) as { code: string; detail: { loc: string[] }[] };
    expect(body.code).toBe("VALIDATION_ERROR");
    expect(body.detail[0]!.loc).toEqual(["body", "message"]);
    const over = await post(path, { message: "가".repeat(400_000) });
    expect(over.status).toBe(413);
    expect(((await over.json()) as { code: string }).code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("a body that is not valid UTF-8 is 400 INVALID_UTF8; broken JSON is 400 INVALID_BODY", async () => {
    const prefix = new TextEncoder().encode('{"message":"');
    const bytes = new Uint8Array([...prefix, 0xc3, 0x28, 0x22, 0x7d]);
    const broken = await post(path, bytes);
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({
      detail: "request body is not valid UTF-8",
      code: "INVALID_UTF8",
    });
    const notJson = await post(path, '{"message": ');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { code: string }).code).toBe("INVALID_BODY");
  });

  it("a foreign image_url is the chat service's 400", async () => {
    const foreign = await post(path, { message: "이거 뭐야?", image_url: FOREIGN_IMAGE });
    expect(foreign.status).toBe(400);
    expect(((await foreign.json()) as { code: string }).code).toBe("INVALID_IMAGE_URL");
  });

  it("messages past the per-user limit are 429 RATE_LIMITED with Retry-After; others are unaffected", async () => {
    const answers = await Promise.all(
      Array.from({ length: LIMIT + 3 }, () => post(path, { message: "빨리" }, "user-3")),
    );
    const statuses = answers.map((a) => a.status);
    // user-3 owns no chat, so the allowed ones reach the service and are its 404.
    expect(statuses.filter((s) => s === 404)).toHaveLength(LIMIT);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(3);
    expect(Number(limited[0]!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited[0]!.json()) as { code: string }).code).toBe("RATE_LIMITED");
    expect((await post(path, { message: "저는 괜찮죠?" })).status).toBe(200);
  });
});
