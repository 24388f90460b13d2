// Hostile input through the gateway against the real servers, over HTTP and the WebSocket: each
// gets a clear 4xx or an error frame, the socket stays open (except where RFC 6455 closes it),
// and the system keeps serving.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { connect } from "node:net";
import { type RunningProcess, stopProcess } from "../support/processes.ts";
import {
  bearerSocket,
  type ChatSocketClient,
  type ChatUser,
  call,
  createChat,
  sendMessage,
  signIn,
  startChatSystem,
} from "./chat-client.ts";

const PER_MINUTE = 20;

let system: RunningProcess;
let base: string;
let user: ChatUser;
let chatId: string;
let socket: ChatSocketClient;

beforeAll(async () => {
  ({ system, base } = await startChatSystem({
    RATE_LIMIT_CHAT_MESSAGES_PER_MINUTE: String(PER_MINUTE),
  }));
  user = await signIn(base, "hostile");
  chatId = await createChat(base, user);
  socket = bearerSocket(base, user);
  await socket.opened;
}, 120_000);

afterAll(async () => {
  socket?.close();
  await stopProcess(system);
}, 15_000);

/** stillOpen: the socket answers a ping after whatever came before. */
async function stillOpen(client: ChatSocketClient) {
  const from = client.frames.length;
  const ref = crypto.randomUUID();
  client.send({ type: "ping", ref });
  await client.next((f) => f.event === "pong" && f.data.ref === ref, 5000, from);
  expect(client.ws.readyState).toBe(WebSocket.OPEN);
}

/** refusal sends a frame and returns the error frame it caused. */
async function refusal(frame: unknown, ref?: string) {
  const from = socket.frames.length;
  socket.send(frame);
  const error = await socket.next(
    (f) => f.event === "error" && (ref === undefined || f.data.ref === ref),
    10_000,
    from,
  );
  await stillOpen(socket);
  return error.data;
}

describe("hostile input", () => {
  it("a 1 MB message: 422 over HTTP, an error frame over the socket", async () => {
    const http = await sendMessage(base, user, chatId, { message: "가".repeat(340_000) });
    expect([413, 422]).toContain(http.status);
    expect(["VALIDATION_ERROR", "PAYLOAD_TOO_LARGE"]).toContain(http.body.code);
    const frame = await refusal(
      { type: "message", ref: "big", chat_id: chatId, message: "a".repeat(1_000_000) },
      "big",
    );
    expect(frame).toMatchObject({ code: "VALIDATION_ERROR", status: 422 });
  });

  it("invalid UTF-8: 400 over HTTP; a binary frame is an error frame; an invalid text frame is closed 1007", async () => {
    const response = await fetch(`${base}/api/v1/chat/${chatId}/messages`, {
      method: "POST",
      headers: { ...user.headers, "content-type": "application/json" },
      body: new Uint8Array([...new TextEncoder().encode('{"message":"'), 0xff, 0xfe, 0x22, 0x7d]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe("INVALID_UTF8");

    const from = socket.frames.length;
    socket.ws.send(new Uint8Array([0xff, 0xfe, 0xfd]));
    const binary = await socket.next((f) => f.event === "error", 5000, from);
    expect(binary.data.code).toBe("BINARY_FRAME_UNSUPPORTED");
    await stillOpen(socket);

    // No WebSocket library sends a text frame of broken UTF-8, so this one speaks the protocol.
    const raw = connect(Number(new URL(base).port), "127.0.0.1");
    let received = Buffer.alloc(0);
    raw.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
    });
    const closed = new Promise<void>((resolve) => raw.on("close", () => resolve()));
    raw.write(
      `GET /api/v1/chat/ws HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${user.token}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    while (!received.includes("\r\n\r\n")) await Bun.sleep(5);
    expect(received.toString("latin1")).toStartWith("HTTP/1.1 101");
    received = received.subarray(received.indexOf("\r\n\r\n") + 4);
    const payload = [0x7b, 0xff, 0xfe, 0x7d];
    raw.write(Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0, ...payload]));
    await closed;
    expect(received[0]).toBe(0x88);
    expect(received.readUInt16BE(2)).toBe(1007);
    await stillOpen(socket);
  });

  it("a foreign image_url: the chat service's 400, over HTTP and the socket", async () => {
    const image_url = "https://evil.example/cat.jpg";
    const http = await sendMessage(base, user, chatId, { message: "이거 뭐야?", image_url });
    expect(http.status).toBe(400);
    expect(typeof http.body.code).toBe("string");
    const frame = await refusal(
      { type: "message", ref: "img", chat_id: chatId, message: "이거 뭐야?", image_url },
      "img",
    );
    expect(frame).toMatchObject({ status: 400, code: http.body.code });
  });

  it("an unknown frame type, invalid JSON and a frame without a type", async () => {
    expect(await refusal({ type: "subscribe", ref: "u" }, "u")).toMatchObject({
      code: "UNKNOWN_FRAME_TYPE",
      status: 400,
    });
    expect(await refusal("{oops")).toMatchObject({ code: "INVALID_JSON" });
    expect(await refusal("42")).toMatchObject({ code: "INVALID_FRAME" });
  });

  it("100 messages in a second from one user: the limit answers 429 with Retry-After and error frames", async () => {
    const flooder = await signIn(base, "flooder");
    const floodChat = await createChat(base, flooder);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        sendMessage(base, flooder, floodChat, { message: `${i}` }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(PER_MINUTE);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(100 - PER_MINUTE);
    expect(limited[0]!.body.code).toBe("RATE_LIMITED");
    expect(Number(limited[0]!.headers.get("retry-after"))).toBeGreaterThan(0);

    const other = await signIn(base, "flooder-ws");
    const otherChat = await createChat(base, other);
    const flood = bearerSocket(base, other);
    await flood.opened;
    for (let i = 0; i < 100; i++) {
      flood.send({ type: "message", ref: `f${i}`, chat_id: otherChat, message: `${i}` });
    }
    await flood.next(
      () =>
        flood.frames.filter((f) => f.event === "submitted" || f.data?.code === "RATE_LIMITED")
          .length === 100,
      30_000,
    );
    const refused = flood.frames.filter((f) => f.data?.code === "RATE_LIMITED");
    expect(refused).toHaveLength(100 - PER_MINUTE);
    expect(refused[0]!.data.retry_after).toBeGreaterThan(0);
    await stillOpen(flood);
    flood.close();
  }, 60_000);

  it("the system still serves", async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await call(base, user, "GET", "/api/v1/chat?limit=1")).status).toBe(200);
  });
});
