import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createMemoryCache } from "../lib/cache/create-memory-cache.ts";
import { MemoryCacheStore } from "../lib/cache/memory-cache-store.ts";
import {
  CHAT_A,
  CHAT_B,
  type ChatDouble,
  FOREIGN_IMAGE,
  SCAN_JOB,
  startChatDouble,
} from "../test/support/chat-double.ts";
import { waitFor } from "../test/support/processes.ts";
import { silentLog } from "../test/support/silent-log.ts";
import { ChatMessageLimit } from "./chat-message-limit.ts";
import { ChatSocket, type ChatSocketOptions, type ServerFrame } from "./chat-socket.ts";
import { createServiceClients, type ServiceClients } from "./clients.ts";

// biome-ignore lint/suspicious/noExplicitAny: frames are checked field by field.
type Frame = ServerFrame & { data: any };

/** A socket peer that records frames; sends from frame number `pressureFrom` on report back-pressure. */
class FakePeer {
  readonly frames: Frame[] = [];
  pressureFrom = Number.POSITIVE_INFINITY;
  closed: { code: number; reason: string } | undefined;
  send(text: string): number {
    this.frames.push(JSON.parse(text));
    return this.frames.length > this.pressureFrom ? -1 : text.length;
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
  }
  of(jobId: string): Frame[] {
    return this.frames.filter((f) => f.data?.job_id === jobId && f.event !== "submitted");
  }
  errors(): Frame[] {
    return this.frames.filter((f) => f.event === "error");
  }
}

let double: ChatDouble;
let clients: ServiceClients;

beforeAll(async () => {
  double = await startChatDouble({ tokens: 5, intervalMs: 5 });
  clients = createServiceClients({
    transport: "grpc-js",
    timeoutMs: 2000,
    address: () => `127.0.0.1:${double.server.port}`,
  });
});

afterAll(() => {
  clients.close();
  double.stop();
});

function socket(
  options: Partial<ChatSocketOptions> = {},
  userId = "user-1",
  sessionCheck?: () => string | undefined,
) {
  const peer = new FakePeer();
  const chat = new ChatSocket(
    peer,
    { userId, sessionCheck },
    {
      clients,
      log: silentLog,
      maxStreams: 20,
      maxFrameBytes: 1024 * 1024,
      ...options,
    },
  );
  const send = (frame: unknown) =>
    chat.onMessage(typeof frame === "string" ? frame : JSON.stringify(frame));
  return { peer, chat, send };
}

const doneOf = (peer: FakePeer, jobId: string) =>
  waitFor(() => (peer.of(jobId).some((f) => f.event === "done") ? true : undefined), 5000, "done");

describe("chat socket: messages and streams", () => {
  it("a message is acknowledged with its job and chat, then its job's events follow until done", async () => {
    const { peer, send } = socket();
    await send({ type: "message", ref: "m1", chat_id: CHAT_A, message: "페트병은 어떻게 버려?" });
    const submitted = peer.frames[0]!;
    expect(submitted).toMatchObject({
      event: "submitted",
      data: { ref: "m1", chat_id: CHAT_A, status: "submitted" },
    });
    const jobId = submitted.data.job_id;
    expect(submitted.data.stream_url).toBe(`/api/v1/chat/${jobId}/events`);
    expect(double.jobs.get(jobId)).toMatchObject({
      userId: "user-1",
      message: "페트병은 어떻게 버려?",
    });
    await doneOf(peer, jobId);
    // From the stream's start: tokens recorded before the watch begins still arrive one by one.
    expect(double.watches.find((w) => w.jobId === jobId)).toMatchObject({ lastEventId: "0-0" });
    const events = peer.of(jobId);
    expect(events.map((f) => f.event)).toEqual([
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
    expect(events.every((f) => f.id === f.data.stream_id)).toBe(true);
    expect(events.filter((f) => f.event === "token").map((f) => f.data.seq)).toEqual([
      1001, 1002, 1003, 1004, 1005,
    ]);
  });

  it("one socket follows many chats at once without crossing their streams", async () => {
    const { peer, send } = socket();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        send({
          type: "message",
          ref: `r${i}`,
          chat_id: i % 2 ? CHAT_B : CHAT_A,
          message: `질문 ${i}`,
        }),
      ),
    );
    const acks = peer.frames.filter((f) => f.event === "submitted");
    expect(acks.map((f) => f.data.ref).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `r${i}`).sort(),
    );
    for (const ack of acks) await doneOf(peer, ack.data.job_id);
    for (const ack of acks) {
      const tokens = peer.of(ack.data.job_id).filter((f) => f.event === "token");
      expect(tokens.map((f) => f.data.content)).toEqual(
        [0, 1, 2, 3, 4].map((i) => `[${ack.data.chat_id.slice(0, 4)}:${i}]`),
      );
    }
  });

  it("watch follows one of the caller's jobs, after last_event_id when given", async () => {
    const first = socket();
    await first.send({ type: "message", chat_id: CHAT_A, message: "소파 버리려면?" });
    const jobId = first.peer.frames[0]!.data.job_id;
    await doneOf(first.peer, jobId);
    const third = first.peer.of(jobId)[2]!;

    const resumed = socket();
    await resumed.send({ type: "watch", job_id: jobId, last_event_id: third.id });
    await doneOf(resumed.peer, jobId);
    expect(resumed.peer.of(jobId).map((f) => f.id)).toEqual(
      first.peer
        .of(jobId)
        .slice(3)
        .map((f) => f.id),
    );
    expect(double.watches.at(-1)).toMatchObject({ jobId, lastEventId: third.id });

    const legacy = socket();
    await legacy.send({ type: "watch", job_id: jobId, last_token_seq: 1002 });
    await doneOf(legacy.peer, jobId);
    expect(double.watches.at(-1)).toMatchObject({ jobId, lastTokenSeq: 1002 });
  });

  it("someone else's job is JOB_NOT_FOUND; a scan job of the caller's is followed too", async () => {
    const alice = socket();
    await alice.send({ type: "message", chat_id: CHAT_A, message: "안녕" });
    const jobId = alice.peer.frames[0]!.data.job_id;
    const bob = socket({}, "user-2");
    await bob.send({ type: "watch", ref: "w", job_id: jobId });
    expect(bob.peer.frames).toEqual([
      {
        event: "error",
        data: {
          type: "error",
          code: "JOB_NOT_FOUND",
          message: "job not found",
          status: 404,
          ref: "w",
          job_id: jobId,
        },
      },
    ]);
    await alice.send({ type: "watch", job_id: SCAN_JOB });
    await waitFor(
      () => (alice.peer.of(SCAN_JOB).some((f) => f.event === "done") ? true : undefined),
      5000,
      "the scan's done",
    );
    expect(alice.peer.of(SCAN_JOB).map((f) => `${f.event}:${f.data.status}`)).toEqual([
      "queued:started",
      "done:completed",
    ]);
  });

  it("unwatch and close cancel the job's RPC stream; ping is answered", async () => {
    const slow = await startChatDouble({ tokens: 200, intervalMs: 20 });
    const slowClients = createServiceClients({
      transport: "grpc-js",
      timeoutMs: 2000,
      address: () => `127.0.0.1:${slow.server.port}`,
    });
    try {
      const { peer, chat, send } = socket({ clients: slowClients });
      await send({ type: "message", chat_id: CHAT_A, message: "a" });
      await send({ type: "message", chat_id: CHAT_B, message: "b" });
      await waitFor(() => (slow.openStreams() === 2 ? true : undefined), 5000, "two streams");
      expect(chat.streams).toBe(2);
      await send({ type: "unwatch", job_id: peer.frames[0]!.data.job_id });
      await waitFor(() => (slow.openStreams() === 1 ? true : undefined), 5000, "one stream");
      await send({ type: "ping", ref: "p" });
      expect(peer.frames.some((f) => f.event === "pong" && f.data.ref === "p")).toBe(true);
      chat.onClose();
      await waitFor(() => (slow.openStreams() === 0 ? true : undefined), 5000, "no stream");
      expect(chat.streams).toBe(0);
    } finally {
      slowClients.close();
      slow.stop();
    }
  });
});

describe("chat socket: back-pressure", () => {
  it("stops pulling from the RPC stream while the socket is full, and resumes on drain", async () => {
    const many = await startChatDouble({ tokens: 100, intervalMs: 1, tokenPadding: 8192 });
    const manyClients = createServiceClients({
      transport: "grpc-js",
      timeoutMs: 2000,
      address: () => `127.0.0.1:${many.server.port}`,
    });
    try {
      const { peer, chat, send } = socket({ clients: manyClients });
      // The acknowledgement goes out freely; the first event reports back-pressure.
      peer.pressureFrom = 1;
      await send({ type: "message", chat_id: CHAT_A, message: "천천히" });
      const jobId = peer.frames[0]!.data.job_id;
      await waitFor(() => (peer.of(jobId).length > 0 ? true : undefined), 5000, "a first event");
      await Bun.sleep(300);
      // Nothing more is sent, and the stream is not read from: HTTP/2 flow control lets the
      // service fill its window (8 KiB tokens), but nowhere near the 105 events it has.
      expect(peer.of(jobId)).toHaveLength(1);
      expect(many.sent.get(jobId)!).toBeLessThan(60);
      peer.pressureFrom = Number.POSITIVE_INFINITY;
      chat.onDrain();
      await doneOf(peer, jobId);
      expect(peer.of(jobId)).toHaveLength(105);
    } finally {
      manyClients.close();
      many.stop();
    }
  });

  it("a frame the socket dropped closes it with 1013 so the client resumes", async () => {
    const { peer, chat } = socket();
    const dropping = { send: () => 0, close: peer.close.bind(peer) };
    const dropped = new ChatSocket(
      dropping,
      { userId: "user-1" },
      {
        clients,
        log: silentLog,
        maxStreams: 2,
        maxFrameBytes: 1000,
      },
    );
    await dropped.onMessage(JSON.stringify({ type: "ping" }));
    expect(peer.closed?.code).toBe(1013);
    chat.onClose();
  });
});

describe("chat socket: hostile frames get an error frame and the socket goes on", () => {
  const codeOf = async (frame: unknown, options: Partial<ChatSocketOptions> = {}) => {
    const { peer, chat } = socket(options);
    await chat.onMessage(frame as string);
    await chat.onMessage(JSON.stringify({ type: "ping" }));
    expect(peer.frames.at(-1)?.event).toBe("pong");
    expect(peer.closed).toBeUndefined();
    return peer.errors()[0]?.data;
  };

  it("invalid JSON, a non-object, an unknown type, binary, and a frame over the limit", async () => {
    expect(await codeOf("{not json")).toMatchObject({ code: "INVALID_JSON", status: 400 });
    expect(await codeOf("[1,2]")).toMatchObject({ code: "INVALID_FRAME", status: 400 });
    expect(await codeOf(JSON.stringify({ type: "subscribe", ref: "x" }))).toMatchObject({
      code: "UNKNOWN_FRAME_TYPE",
      ref: "x",
      status: 400,
    });
    expect(await codeOf(new Uint8Array([0xff, 0xfe]))).toMatchObject({
      code: "BINARY_FRAME_UNSUPPORTED",
      status: 415,
    });
    const big = JSON.stringify({ type: "message", chat_id: CHAT_A, message: "가".repeat(500) });
    expect(await codeOf(big, { maxFrameBytes: 1000 })).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      status: 413,
    });
  });

  it("a 1 MB message, a blank one, a bad chat id, someone else's chat and a foreign image", async () => {
    const message = (fields: Record<string, unknown>) =>
      JSON.stringify({ type: "message", chat_id: CHAT_A, message: "hi", ...fields });
    const huge = await codeOf(message({ message: "a".repeat(1_000_000) }));
    expect(huge).toMatchObject({ code: "VALIDATION_ERROR", status: 422 });
    expect(huge.message).toStartWith("message:");
    expect(await codeOf(message({ message: "   " }))).toMatchObject({
      code: "MESSAGE_REQUIRED",
      chat_id: CHAT_A,
    });
    expect(await codeOf(message({ chat_id: "nope" }))).toMatchObject({ code: "VALIDATION_ERROR" });
    const foreignChat = "11111111-2222-4333-8444-555555555555";
    expect(await codeOf(message({ chat_id: foreignChat }))).toMatchObject({
      code: "CHAT_NOT_FOUND",
      status: 404,
      chat_id: foreignChat,
    });
    expect(await codeOf(message({ image_url: FOREIGN_IMAGE }))).toMatchObject({
      code: "INVALID_IMAGE_URL",
      status: 400,
    });
  });

  it("messages past the per-user rate limit are RATE_LIMITED with retry_after", async () => {
    const cache = createMemoryCache({ log: silentLog, store: new MemoryCacheStore() });
    const messageLimit = new ChatMessageLimit({ cache, perMinute: 3, log: silentLog });
    const { peer, send } = socket({ messageLimit });
    for (let i = 0; i < 5; i++) await send({ type: "message", chat_id: CHAT_A, message: `${i}` });
    expect(peer.frames.filter((f) => f.event === "submitted")).toHaveLength(3);
    const refused = peer.errors().filter((f) => f.data.code === "RATE_LIMITED");
    expect(refused).toHaveLength(2);
    expect(refused[0]!.data.status).toBe(429);
    expect(refused[0]!.data.retry_after).toBeGreaterThan(0);
    await cache.close();
  });

  it("more streams than a socket may follow are TOO_MANY_STREAMS", async () => {
    const { peer, send } = socket({ maxStreams: 2 });
    await Promise.all(
      [0, 1, 2].map((i) => send({ type: "message", chat_id: CHAT_A, message: `${i}` })),
    );
    expect(peer.frames.filter((f) => f.event === "submitted")).toHaveLength(2);
    expect(peer.errors().map((f) => f.data.code)).toEqual(["TOO_MANY_STREAMS"]);
  });
});

describe("chat socket: the session that opened it", () => {
  it("refuses the next frame and closes with 1008 once the token has expired", async () => {
    let ended: string | undefined;
    const { peer, send } = socket({}, "user-1", () => ended);
    await send({ type: "ping", ref: "p1" });
    expect(peer.frames.at(-1)?.event).toBe("pong");
    ended = "TOKEN_EXPIRED";
    await send({ type: "ping", ref: "p2" });
    expect(peer.frames.at(-1)).toMatchObject({
      event: "error",
      data: { code: "TOKEN_EXPIRED", status: 401 },
    });
    expect(peer.closed).toEqual({ code: 1008, reason: "TOKEN_EXPIRED" });
    expect(peer.frames.some((f) => f.event === "pong" && f.data.ref === "p2")).toBe(false);
  });

  it("a quiet socket checked on the timer stops its streams when the session is revoked", async () => {
    let ended: string | undefined;
    const { peer, chat, send } = socket({}, "user-1", () => ended);
    await send({ type: "message", ref: "m1", chat_id: CHAT_A, message: "페트병은 어떻게 버려?" });
    await waitFor(() => (chat.streams === 1 ? true : undefined), 5000, "a followed job");
    expect(chat.checkSession()).toBe(false);
    ended = "TOKEN_REVOKED";
    expect(chat.checkSession()).toBe(true);
    expect(peer.errors().at(-1)?.data).toMatchObject({ code: "TOKEN_REVOKED", status: 403 });
    expect(peer.closed?.code).toBe(1008);
    expect(chat.streams).toBe(0);
  });
});
