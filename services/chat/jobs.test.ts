// SendMessage, RecordEvents, WatchJob, SubmitInput/AwaitInput and the sweeper, through the chat
// component's gRPC port on the real servers; the test plays the ai worker and the gateway.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { ChatEventSchema, type WatchJobResponse } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { ChatMessageRequestedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import type { ConsumerHandle } from "../../lib/bus/types.ts";
import { uniqueName } from "../../test/support/servers.ts";
import { waitFor } from "../../test/support/wait-for.ts";
import {
  type ChatSystem,
  chatSkip,
  newUser,
  PUBLIC_BASE_URL,
  refusal,
  startChatSystem,
} from "./test-system.ts";

const stage = (name: string, status: string, seq: number, progress = -1, resultJson = "") =>
  create(ChatEventSchema, { stage: name, status, seq, progress, resultJson, message: `${name}…` });
const token = (seq: number, content: string) =>
  create(ChatEventSchema, { stage: "token", status: "streaming", seq, content, node: "answer" });
const TOKENS = ["페트병은 ", "내용물을 ", "비우고 ", "라벨을 ", "떼어 ", "버려요."];
const tokens = (from = 0, to = TOKENS.length) =>
  TOKENS.slice(from, to).map((text, i) => token(1001 + from + i, text));
const done = stage(
  "done",
  "completed",
  181,
  100,
  JSON.stringify({ intent: "waste", answer: "ok" }),
);

interface Frame {
  id: string;
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are checked field by field.
  data: any;
}
const frame = (r: WatchJobResponse): Frame => ({
  id: r.eventId,
  event: r.event,
  data: JSON.parse(r.dataJson),
});

describe.skipIf(Boolean(chatSkip))(`chat jobs over gRPC ${chatSkip ?? ""}`, () => {
  let system: ChatSystem;
  let requests: ConsumerHandle;
  const requested: { jobId: string; message: string }[] = [];
  beforeAll(async () => {
    system = await startChatSystem();
    // Plays the ai worker's queue: what chat.message_requested carries.
    requests = await system.platform.bus.consume({
      name: uniqueName("test.chat_requests"),
      bindings: ["chat.message_requested"],
      schemas: [ChatMessageRequestedSchema],
      handler: (event) => {
        requested.push({ jobId: event.jobId, message: event.message });
        return "ack";
      },
    });
  }, 30_000);
  afterAll(async () => {
    await requests?.close();
    await system?.platform.bus.deleteConsumer({ name: requests.name, bindings: [] });
    await system?.stop();
  });

  const pool = () => system.platform.pool("chat");
  const record = (jobId: string, events: ReturnType<typeof stage>[]) =>
    system.client.recordEvents({ jobId, events });

  async function submit(userId: string, message = "페트병은 어떻게 버려?") {
    const chat = (await system.client.createChat({}, system.as(userId))).chat!;
    const sent = await system.client.sendMessage({ chatId: chat.id, message }, system.as(userId));
    return { chatId: chat.id, jobId: sent.jobId, sent };
  }

  /** watch collects a WatchJob stream until it ends, or until `stopAfter` says so. */
  async function watch(
    userId: string,
    request: { jobId: string; lastEventId?: string; lastTokenSeq?: number; catchUp?: boolean },
    stopAfter: (frames: Frame[]) => boolean = () => false,
  ): Promise<Frame[]> {
    const frames: Frame[] = [];
    const abort = new AbortController();
    try {
      for await (const r of system.client.watchJob(request, {
        ...system.as(userId),
        signal: abort.signal,
      })) {
        frames.push(frame(r));
        if (stopAfter(frames)) break;
      }
    } finally {
      abort.abort();
    }
    return frames;
  }
  const text = (frames: Frame[]) =>
    frames
      .map((f) =>
        f.event === "token_recovery"
          ? f.data.accumulated
          : f.event === "token"
            ? f.data.content
            : "",
      )
      .join("");

  it("SendMessage: refuses a blank message, else commits the job with chat.message_requested and records queued", async () => {
    const alice = newUser();
    const chat = (await system.client.createChat({}, system.as(alice))).chat!;
    const blank = system.client.sendMessage({ chatId: chat.id, message: "  \n" }, system.as(alice));
    expect(await refusal(blank)).toEqual({
      code: Code.InvalidArgument,
      domain: "MESSAGE_REQUIRED",
    });
    const huge = system.client.sendMessage(
      { chatId: chat.id, message: "가".repeat(4001) },
      system.as(alice),
    );
    expect(await refusal(huge)).toEqual({ code: Code.InvalidArgument, domain: "MESSAGE_TOO_LONG" });
    const { jobId, sent } = await submit(alice, "  소파 버리려면?  ");
    expect(sent.status).toBe("submitted");
    await waitFor("chat.message_requested", () => requested.some((r) => r.jobId === jobId));
    expect(requested.find((r) => r.jobId === jobId)?.message).toBe("소파 버리려면?");
    const row = await pool().query("SELECT user_id, message, status FROM jobs WHERE id = $1", [
      jobId,
    ]);
    expect(row.rows).toEqual([{ user_id: alice, message: "소파 버리려면?", status: "queued" }]);
    expect((await system.client.getJob({ jobId }, system.as(alice))).status).toBe("queued");
    const first = await watch(alice, { jobId }, (f) => f.length === 1);
    expect(first[0]).toMatchObject({
      event: "queued",
      data: {
        stage: "queued",
        status: "started",
        seq: 0,
        progress: 0,
        message: "작업이 시작되었습니다...",
      },
    });
    expect(first[0]!.id).toMatch(/^\d+-\d+$/);
    expect(first[0]!.data.stream_id).toBe(first[0]!.id);
  });

  it("SendMessage: job and event commit together or not at all", async () => {
    const alice = newUser();
    const chat = (await system.client.createChat({}, system.as(alice))).chat!;
    // With the outbox unwritable the enqueue fails inside the transaction: no job may remain.
    await pool().query("ALTER TABLE outbox RENAME TO outbox_away");
    try {
      const send = system.client.sendMessage({ chatId: chat.id, message: "hi" }, system.as(alice));
      expect((await refusal(send)).code).toBe(Code.Internal);
    } finally {
      await pool().query("ALTER TABLE outbox_away RENAME TO outbox");
    }
    const jobs = await pool().query("SELECT 1 FROM jobs WHERE user_id = $1", [alice]);
    expect(jobs.rowCount).toBe(0);
  });

  it("SendMessage: an image must be ours and the caller's (storage.UseImage)", async () => {
    const alice = newUser();
    const chat = (await system.client.createChat({}, system.as(alice))).chat!;
    const send = (imageUrl: string) =>
      system.client.sendMessage(
        { chatId: chat.id, message: "이거 뭐야?", imageUrl },
        system.as(alice),
      );
    const foreign = await refusal(send("https://evil.example.com/a.jpg"));
    expect(foreign.code).toBe(Code.InvalidArgument);
    const missing = await refusal(
      send(`${PUBLIC_BASE_URL}/media/chat/${alice}/${"a".repeat(32)}.jpg`),
    );
    expect(missing).toEqual({ code: Code.NotFound, domain: "IMAGE_NOT_FOUND" });
    const jobs = await pool().query("SELECT 1 FROM jobs WHERE user_id = $1", [alice]);
    expect(jobs.rowCount).toBe(0);
  });

  it("jobs are the caller's: someone else's is 404 JOB_NOT_FOUND", async () => {
    const alice = newUser();
    const bob = newUser();
    const { jobId } = await submit(alice);
    const notFound = { code: Code.NotFound, domain: "JOB_NOT_FOUND" };
    expect(await refusal(system.client.getJob({ jobId }, system.as(bob)))).toEqual(notFound);
    expect(await refusal(watch(bob, { jobId }))).toEqual(notFound);
    const input = system.client.submitInput({ jobId, type: "cancel" }, system.as(bob));
    expect(await refusal(input)).toEqual(notFound);
    expect(await refusal(system.client.getJob({ jobId: "x" }, system.as(alice)))).toEqual(notFound);
  });

  it("RecordEvents records each seq once, also when a batch is repeated or raced", async () => {
    const alice = newUser();
    const { jobId } = await submit(alice);
    const batch = [
      stage("intent", "started", 10, 5),
      stage("intent", "completed", 11, 15),
      ...tokens(0, 3),
    ];
    expect((await record(jobId, batch)).recorded).toBe(5);
    expect((await record(jobId, batch)).recorded).toBe(0);
    const raced = await Promise.all(
      Array.from({ length: 5 }, () => record(jobId, [...batch, ...tokens(3, 6)])),
    );
    expect(raced.reduce((sum, r) => sum + r.recorded, 0)).toBe(3);
    expect((await system.client.getJob({ jobId }, system.as(alice))).status).toBe("processing");
    await record(jobId, [done]);
    const frames = await watch(alice, { jobId: jobId, lastEventId: "0-0" });
    expect(frames.map((f) => f.data.seq)).toEqual([
      0, 10, 11, 1001, 1002, 1003, 1004, 1005, 1006, 181,
    ]);
    expect(frames.at(-1)).toMatchObject({
      event: "done",
      data: { status: "completed", progress: 100 },
    });
    expect((await system.client.getJob({ jobId }, system.as(alice))).status).toBe("completed");
    // A finished job takes nothing more.
    expect((await record(jobId, [stage("eval", "started", 170)])).recorded).toBe(0);
    const bad = record(jobId, [stage("nonsense", "started", 10)]);
    expect(await refusal(bad)).toEqual({ code: Code.InvalidArgument, domain: "INVALID_EVENT" });
  });

  it("WatchJob resumes after a stream id with no duplicate or missing token", async () => {
    const alice = newUser();
    const { jobId } = await submit(alice);
    await record(jobId, [stage("answer", "started", 160, 75)]);
    // A client watching live drops after its 3rd token …
    const dropping = watch(
      alice,
      { jobId },
      (f) => f.filter((x) => x.event === "token").length === 3,
    );
    await new Promise((r) => setTimeout(r, 100));
    for (const t of tokens(0, 4)) await record(jobId, [t]);
    const before = await dropping;
    const lastId = before.at(-1)!.id;
    // … reconnects with Last-Event-ID while the rest is recorded.
    const after = watch(alice, { jobId, lastEventId: lastId });
    await record(jobId, tokens(4, 6));
    await record(jobId, [stage("answer", "completed", 161, 90), done]);
    const rest = await after;
    const seqs = [...before, ...rest].filter((f) => f.event === "token").map((f) => f.data.seq);
    expect(seqs).toEqual([1001, 1002, 1003, 1004, 1005, 1006]);
    expect(text([...before, ...rest])).toBe(TOKENS.join(""));
    expect(rest.at(-1)?.event).toBe("done");
    // recovery:N and last_token_seq resume after that token too.
    const recovered = await watch(alice, { jobId, lastEventId: "recovery:1004" });
    expect(recovered.filter((f) => f.event === "token").map((f) => f.data.seq)).toEqual([
      1005, 1006,
    ]);
    const legacy = await watch(alice, { jobId, lastTokenSeq: 1005 });
    expect(legacy.filter((f) => f.event === "token").map((f) => f.data.seq)).toEqual([1006]);
    const invalid = watch(alice, { jobId, lastEventId: "yesterday" });
    expect(await refusal(invalid)).toEqual({
      code: Code.InvalidArgument,
      domain: "INVALID_EVENT_ID",
    });
  });

  it("a catch-up WatchJob sends what is recorded and ends, without waiting for more", async () => {
    const alice = newUser();
    const { jobId } = await submit(alice);
    await record(jobId, [stage("answer", "started", 160, 75), ...tokens(0, 2)]);
    const started = performance.now();
    const caughtUp = await watch(alice, { jobId, lastEventId: "0-0", catchUp: true });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(caughtUp.map((f) => f.event)).toEqual(["queued", "answer", "token", "token"]);
    const rest = watch(alice, { jobId, lastEventId: caughtUp.at(-1)!.id, catchUp: true });
    expect(await rest).toEqual([]);
    await record(jobId, [done]);
    const last = await watch(alice, { jobId, lastEventId: caughtUp.at(-1)!.id, catchUp: true });
    expect(last.map((f) => f.event)).toEqual(["done"]);
  });

  it("a fresh WatchJob gets the stages, one token_recovery snapshot, then live events until done", async () => {
    const alice = newUser();
    const { jobId } = await submit(alice);
    await record(jobId, [stage("intent", "started", 10, 5), stage("intent", "completed", 11, 15)]);
    await record(jobId, [stage("answer", "started", 160, 75), ...tokens(0, 3)]);
    const live = watch(alice, { jobId });
    await new Promise((r) => setTimeout(r, 200));
    await record(jobId, tokens(3, 6));
    await record(jobId, [stage("answer", "completed", 161, 90), done]);
    const frames = await live;
    expect(frames.slice(0, 5).map((f) => f.event)).toEqual([
      "queued",
      "intent",
      "intent",
      "answer",
      "token_recovery",
    ]);
    expect(frames[4]).toEqual({
      id: "recovery:1003",
      event: "token_recovery",
      data: {
        job_id: jobId,
        stage: "token_recovery",
        status: "snapshot",
        accumulated: TOKENS.slice(0, 3).join(""),
        last_seq: 1003,
        completed: false,
      },
    });
    expect(frames.slice(5).map((f) => f.data.seq)).toEqual([1004, 1005, 1006, 161, 181]);
    expect(text(frames)).toBe(TOKENS.join(""));
    // Once done, a fresh connection gets the snapshot as completed and the terminal event.
    const replay = await watch(alice, { jobId });
    expect(replay.map((f) => f.event)).toEqual([
      "queued",
      "intent",
      "intent",
      "answer",
      "token_recovery",
      "answer",
      "done",
    ]);
    expect(replay[4]!.data).toMatchObject({
      accumulated: TOKENS.join(""),
      last_seq: 1006,
      completed: true,
    });
  });

  it("a failure ends the job and the stream with an error event", async () => {
    const alice = newUser();
    const { jobId } = await submit(alice);
    const failed = stage("done", "failed", 180, -1, JSON.stringify({ detail: "boom" }));
    await record(jobId, [
      stage("intent", "started", 10, 5),
      failed,
      stage("intent", "completed", 11),
    ]);
    const frames = await watch(alice, { jobId });
    expect(frames.map((f) => f.event)).toEqual(["queued", "intent", "error"]);
    expect(frames.at(-1)!.data).toMatchObject({
      stage: "done",
      status: "failed",
      result: { error: "done…" },
      progress: "",
    });
    expect((await system.client.getJob({ jobId }, system.as(alice))).status).toBe("failed");
  });

  it("AwaitInput hands the worker the user's answer (C7), or none in time", async () => {
    const alice = newUser();
    const { jobId } = await submit(alice);
    const none = await system.client.awaitInput({ jobId, waitMs: 150 });
    expect(none.received).toBe(false);
    const waiting = system.client.awaitInput({ jobId, waitMs: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    const bad = system.client.submitInput(
      { jobId, type: "location", data: { latitude: 123 } },
      system.as(alice),
    );
    expect(await refusal(bad)).toEqual({ code: Code.InvalidArgument, domain: "INVALID_LOCATION" });
    const data = { latitude: 37.5665, longitude: 126.978 };
    const answer = await system.client.submitInput(
      { jobId, type: "location", data },
      system.as(alice),
    );
    expect(answer).toMatchObject({ status: "received", jobId });
    expect(await waiting).toMatchObject({ received: true, type: "location", data });
    // Handed out once.
    expect((await system.client.awaitInput({ jobId, waitMs: 50 })).received).toBe(false);
  });

  it("the sweeper fails a job with no event for CHAT_JOB_IDLE_SECONDS, ending its stream", async () => {
    const alice = newUser();
    const { jobId } = await submit(alice);
    await record(jobId, [stage("intent", "started", 10, 5)]);
    const watching = watch(alice, { jobId });
    await pool().query("UPDATE jobs SET updated_at = now() - interval '1 hour' WHERE id = $1", [
      jobId,
    ]);
    const frames = await watching;
    expect(frames.at(-1)).toMatchObject({
      event: "error",
      data: { stage: "done", status: "failed", result: { error: "no progress for 120 s" } },
    });
    // The stream is written before the row: the row follows within the sweep.
    await waitFor("the job failed", async () => {
      const job = await system.client.getJob({ jobId }, system.as(alice));
      return job.status === "failed";
    });
  }, 15_000);
});
