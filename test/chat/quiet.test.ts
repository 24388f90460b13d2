// A job that goes quiet mid-answer (here: a question that needs a location waits for one) must
// not hold the gateway's RPC stream while it waits: the follower closes the stream, sleeps on the
// job's announcement channel and resumes after the last event it passed on. The client sees each
// event once, in order, and the answer that comes after the wait.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type RunningProcess, stopProcess } from "../support/processes.ts";
import {
  bearerSocket,
  type ChatUser,
  createChat,
  followSse,
  sendMessage,
  signIn,
  startChatSystem,
} from "./chat-client.ts";

const QUESTION = "근처 수거함 어디 있어?";
/** The worker waits this long for a location (C7) before answering without one. */
const INPUT_WAIT_MS = 4000;

let system: RunningProcess;
let base: string;
let user: ChatUser;

beforeAll(async () => {
  ({ system, base } = await startChatSystem({ CHAT_INPUT_WAIT_MS: String(INPUT_WAIT_MS) }));
  user = await signIn(base, "chat-quiet");
}, 120_000);

afterAll(() => stopProcess(system), 15_000);

/** watchJobCalls counts the WatchJob calls the chat service has finished (one process: the all-in-one). */
async function watchJobCalls(): Promise<number> {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  return metrics
    .split("\n")
    .filter((line) => line.startsWith("eco2_rpc_server_handled_total") && line.includes("WatchJob"))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

describe("a chat job that goes quiet", () => {
  it("SSE: the stream is let go during the wait and the events after it still arrive once", async () => {
    const chatId = await createChat(base, user);
    const sent = await sendMessage(base, user, chatId, { message: QUESTION });
    expect(sent.status).toBe(200);
    const before = await watchJobCalls();
    const { events } = await followSse(base, user, sent.body.job_id, { timeoutMs: 30_000 });
    const names = events.map((e) => e.event);
    expect(names).toContain("needs_input");
    expect(names.at(-1)).toBe("done");
    expect(names.indexOf("needs_input")).toBeLessThan(names.indexOf("answer"));
    const ids = events.map((e) => e.id).filter((id) => id && !id.startsWith("recovery:"));
    expect(new Set(ids).size).toBe(ids.length);
    expect(events.at(-1)!.data.result.answer).toContain("위치");
    // The first stream was closed when the job went quiet, and a second one read the rest.
    expect((await watchJobCalls()) - before).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("WebSocket: the same job followed on a socket ends with its answer after the wait", async () => {
    const chatId = await createChat(base, user);
    const socket = bearerSocket(base, user);
    await socket.opened;
    const { events: frames } = await socket.ask(chatId, { message: QUESTION });
    const names = frames.map((f) => f.event);
    expect(names).toContain("needs_input");
    expect(names.at(-1)).toBe("done");
    const seqs = frames.filter((f) => f.event === "token").map((f) => f.data.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    socket.close();
  }, 60_000);
});
