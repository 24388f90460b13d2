// Reconnects, as flaky mobile networks make them: an SSE client that drops after the 3rd token
// and comes back with Last-Event-ID, and a WebSocket whose gateway shuts down mid-answer (1001)
// and that resumes on another gateway instance with `watch` + last_event_id. Either way the
// client's final text equals the server's, with no token twice and none missing.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { freePort, type RunningProcess, startProcess, waitFor } from "../support/processes.ts";
import {
  bearerSocket,
  type ChatUser,
  createChat,
  followSse,
  type SocketFrame,
  sendMessage,
  signIn,
  startChatSystem,
  tokenText,
} from "./chat-client.ts";

// A long answer, so the stream is still running when the client drops.
const QUESTION = "종이 버리는 법이랑 근처 수거함도 알려줘";

let system: RunningProcess;
let base: string;
let env: Record<string, string>;
let user: ChatUser;
const extra: RunningProcess[] = [];

beforeAll(async () => {
  ({ system, base, env } = await startChatSystem());
  user = await signIn(base, "chat-resume");
}, 120_000);

afterAll(() => {
  for (const process of extra) process.child.kill("SIGKILL");
  system?.child.kill("SIGKILL");
});

/** startGateway runs a second gateway instance beside the all-in-one, sharing its services. */
async function startGateway() {
  const port = await freePort();
  const gateway = startProcess(["gateway/main.ts"], {
    ...env,
    PORT: String(port),
    BIND_HOST: "127.0.0.1",
  });
  extra.push(gateway);
  const url = `http://localhost:${port}`;
  await waitFor(
    async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined),
    30_000,
    "the second gateway",
  );
  return { gateway, url };
}

describe("resuming a chat stream", () => {
  it("SSE: dropped after the 3rd token, resumed with Last-Event-ID, the text equals the server's", async () => {
    const chatId = await createChat(base, user);
    const sent = await sendMessage(base, user, chatId, {
      message: QUESTION,
      user_location: { latitude: 37.5665, longitude: 126.978 },
    });
    expect(sent.status).toBe(200);
    const jobId: string = sent.body.job_id;
    let tokens = 0;
    const first = await followSse(base, user, jobId, {
      stop: (event) => event.event === "token" && ++tokens === 3,
    });
    expect(first.events.filter((e) => e.event === "token")).toHaveLength(3);
    const lastId = first.events.at(-1)!.id!;
    const rest = await followSse(base, user, jobId, { lastEventId: lastId });
    const ids = [...first.events, ...rest.events].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const all = [...first.events, ...rest.events];
    const done = all.at(-1)!;
    expect(done.event).toBe("done");
    // tokenText throws on a duplicate or missing seq.
    expect(tokenText(all)).toBe(done.data.result.answer);
  }, 60_000);

  it("SSE: a fresh connection after the answer gets the stages and one token_recovery snapshot", async () => {
    const chatId = await createChat(base, user);
    const sent = await sendMessage(base, user, chatId, { message: "소파 버리려면?" });
    const whole = await followSse(base, user, sent.body.job_id);
    const answer = whole.events.at(-1)!.data.result.answer;
    const again = await followSse(base, user, sent.body.job_id);
    const snapshot = again.events.filter((e) => e.event === "token_recovery");
    expect(snapshot).toHaveLength(1);
    expect(snapshot[0]!.data).toMatchObject({ accumulated: answer, completed: true });
    expect(snapshot[0]!.id).toBe(`recovery:${snapshot[0]!.data.last_seq}`);
    expect(again.events.some((e) => e.event === "token")).toBe(false);
    expect(again.events.at(-1)!.event).toBe("done");
  }, 60_000);

  it("WebSocket: the gateway stops mid-answer (1001); watch on another instance finishes the text", async () => {
    const second = await startGateway();
    const chatId = await createChat(base, user);
    const doomed = bearerSocket(second.url, user);
    await doomed.opened;
    const ref = "resume-1";
    doomed.send({
      type: "message",
      ref,
      chat_id: chatId,
      message: QUESTION,
      user_location: { latitude: 37.5665, longitude: 126.978 },
    });
    const ack = await doomed.next((f) => f.event === "submitted" && f.data.ref === ref);
    const jobId: string = ack.data.job_id;
    await doomed.next((f) => f.event === "token" && f.data.job_id === jobId && f.data.seq === 1003);
    second.gateway.child.kill("SIGTERM");
    expect(await doomed.closed).toBe(1001);
    // Resume from the 3rd token, whatever else arrived before the close: the embedded composer
    // may be faster than the kill.
    const received = doomed.ofJob(jobId);
    const third = received.findIndex((f) => f.event === "token" && f.data.seq === 1003);
    const seen = received.slice(0, third + 1);
    const last = seen.at(-1)!;

    const survivor = bearerSocket(base, user);
    await survivor.opened;
    survivor.send({ type: "watch", job_id: jobId, last_event_id: last.id });
    await survivor.next(
      (f) => f.data?.job_id === jobId && (f.event === "done" || f.event === "error"),
    );
    const all: SocketFrame[] = [...seen, ...survivor.ofJob(jobId)];
    const done = all.at(-1)!;
    expect(done.event).toBe("done");
    expect(tokenText(all)).toBe(done.data.result.answer);
    survivor.close();
    expect((await second.gateway.exited).code).toBe(0);
  }, 90_000);
});
