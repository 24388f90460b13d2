// The chat WebSocket as Bun serves it (gateway/server.ts's chatWebSockets): the authenticated
// upgrade, frames over a real socket, what the runtime does with binary, invalid UTF-8 and dead
// peers, and 1001 on shutdown. The chat service is the in-test double over real gRPC.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { connect } from "node:net";
import { Readiness } from "../lib/health/index.ts";
import { CHAT_A, type ChatDouble, startChatDouble } from "../test/support/chat-double.ts";
import { testSession } from "../test/support/session.ts";
import { silentLog } from "../test/support/silent-log.ts";
import { createApp, fetchWithContext } from "./app.ts";
import { createServiceClients, type ServiceClients } from "./clients.ts";
import { chatWebSockets } from "./server.ts";

const ORIGIN = "http://localhost:5173";
let double: ChatDouble;
let clients: ServiceClients;
let session: Awaited<ReturnType<typeof testSession>>;
let sockets: ReturnType<typeof chatWebSockets>;
let server: ReturnType<typeof Bun.serve>;
let token: string;
let url: string;

beforeAll(async () => {
  double = await startChatDouble({ tokens: 5, intervalMs: 2 });
  clients = createServiceClients({
    transport: "grpc-js",
    timeoutMs: 2000,
    address: () => `127.0.0.1:${double.server.port}`,
  });
  session = await testSession({ allowedOrigins: [ORIGIN] });
  token = await session.sign("user-1");
  sockets = chatWebSockets({
    clients,
    log: silentLog,
    maxStreams: 20,
    maxFrameBytes: 1024 * 1024,
    idleTimeoutSeconds: 8,
    maxPayloadBytes: 4 * 1024 * 1024,
  });
  const app = createApp({
    clients,
    guard: session.guard,
    readiness: new Readiness(),
    log: silentLog,
    corsOrigins: [ORIGIN],
    hsts: false,
    chatSocket: sockets.upgrader,
  });
  const handle = fetchWithContext(app);
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    websocket: sockets.websocket,
    async fetch(request, bun) {
      const response = await handle(request, bun.requestIP(request)?.address);
      return sockets.wasUpgraded(request) ? undefined : response;
    },
  });
  // biome-ignore lint/suspicious/noExplicitAny: Bun.serve's server type carries no socket data type here.
  sockets.bind(server as any);
  url = `ws://127.0.0.1:${server.port}/api/v1/chat/ws`;
});

afterAll(async () => {
  server.stop(true);
  clients.close();
  double.stop();
  await session.close();
});

// biome-ignore lint/suspicious/noExplicitAny: frames are checked field by field.
type Frame = { event: string; id?: string; data: any };

/** open connects and collects frames; `closed` resolves with the close code. */
function open(headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
  const ws = new WebSocket(url, { headers } as unknown as string[]);
  const frames: Frame[] = [];
  ws.onmessage = (event) => frames.push(JSON.parse(String(event.data)));
  const closed = new Promise<number>((resolve) => {
    ws.onclose = (event) => resolve(event.code);
  });
  const opened = new Promise<boolean>((resolve) => {
    ws.onopen = () => resolve(true);
    ws.onerror = () => resolve(false);
  });
  const next = async (match: (f: Frame) => boolean, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = frames.find(match);
      if (found) return found;
      await Bun.sleep(5);
    }
    throw new Error(`no such frame; got ${JSON.stringify(frames.map((f) => f.event))}`);
  };
  return { ws, frames, closed, opened, next };
}

/** rawSocket speaks the WebSocket handshake by hand, to send frames no client library sends. */
async function rawSocket() {
  const socket = connect(server.port!, "127.0.0.1");
  let received = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
  });
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.write(
    `GET /api/v1/chat/ws HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  while (!received.includes("\r\n\r\n")) await Bun.sleep(5);
  expect(received.toString("latin1")).toStartWith("HTTP/1.1 101");
  received = received.subarray(received.indexOf("\r\n\r\n") + 4);
  const frame = (opcode: number, payload: Uint8Array) => {
    const mask = [7, 1, 3, 9];
    socket.write(
      Buffer.from([
        0x80 | opcode,
        0x80 | payload.length,
        ...mask,
        ...payload.map((b, i) => b ^ mask[i % 4]!),
      ]),
    );
  };
  return { socket, frame, closed, received: () => received };
}

describe("the chat WebSocket on Bun", () => {
  it("authenticates the upgrade: none is 401, a cookie from a foreign page is 400, ours opens", async () => {
    const anonymous = await fetch(url.replace("ws:", "http:"), {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    expect(anonymous.status).toBe(401);
    const cookie = `s_access=${token}`;
    const foreign = await fetch(url.replace("ws:", "http:"), {
      headers: {
        cookie,
        origin: "https://evil.example",
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    expect(foreign.status).toBe(400);
    expect(((await foreign.json()) as { code: string }).code).toBe("CSRF_ORIGIN_REJECTED");
    const ours = open({ cookie, origin: ORIGIN });
    expect(await ours.opened).toBe(true);
    ours.ws.close();
  });

  it("a message frame is acknowledged and its events stream over the socket", async () => {
    const client = open();
    await client.opened;
    client.ws.send(JSON.stringify({ type: "message", ref: "a", chat_id: CHAT_A, message: "안녕" }));
    const submitted = await client.next((f) => f.event === "submitted");
    const jobId = submitted.data.job_id;
    await client.next((f) => f.event === "done" && f.data.job_id === jobId);
    expect(client.frames.filter((f) => f.event === "token").map((f) => f.data.seq)).toEqual([
      1001, 1002, 1003, 1004, 1005,
    ]);
    client.ws.close();
  });

  it("a binary frame and a 1 MB message get error frames and the socket stays open", async () => {
    const client = open();
    await client.opened;
    client.ws.send(new Uint8Array([1, 2, 3]));
    await client.next((f) => f.data?.code === "BINARY_FRAME_UNSUPPORTED");
    client.ws.send(
      JSON.stringify({ type: "message", chat_id: CHAT_A, message: "a".repeat(1_000_000) }),
    );
    await client.next((f) => f.data?.code === "VALIDATION_ERROR");
    client.ws.send(JSON.stringify({ type: "launch" }));
    await client.next((f) => f.data?.code === "UNKNOWN_FRAME_TYPE");
    client.ws.send(JSON.stringify({ type: "ping" }));
    await client.next((f) => f.event === "pong");
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    client.ws.close();
  });

  it("a text frame of invalid UTF-8 is closed with 1007 by the runtime; the server serves on", async () => {
    const raw = await rawSocket();
    raw.frame(1, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    await raw.closed;
    const close = raw.received();
    // A close frame (0x88) whose code is 1007 (invalid frame payload data).
    expect(close[0]).toBe(0x88);
    expect(close.readUInt16BE(2)).toBe(1007);
    const after = open();
    expect(await after.opened).toBe(true);
    after.ws.close();
  });

  it("a peer that stops answering pings is closed within the idle timeout", async () => {
    const raw = await rawSocket();
    const started = Date.now();
    await raw.closed;
    const seconds = (Date.now() - started) / 1000;
    // Bun pinged at half the 8 s timeout, got no pong, and closed the socket.
    expect(raw.received().includes(Buffer.from([0x89, 0x00]))).toBe(true);
    expect(seconds).toBeGreaterThan(3);
    expect(seconds).toBeLessThan(13);
  }, 20_000);

  it("closeAll (the gateway's shutdown) closes every socket with 1001", async () => {
    const clientsOpen = [open(), open()];
    for (const client of clientsOpen) await client.opened;
    expect(sockets.open()).toBeGreaterThanOrEqual(2);
    sockets.closeAll();
    expect(await Promise.all(clientsOpen.map((c) => c.closed))).toEqual([1001, 1001]);
  });
});
