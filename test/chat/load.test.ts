// 1,000 concurrent WebSocket clients through the gateway against the real servers, each asking
// its own chat one question: every one gets a complete streamed reply (tokens 1001.. without a
// gap, spelling done's answer), and no socket sees a frame of anyone else's job.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type RunningProcess, stopProcess } from "../support/processes.ts";
import {
  bearerSocket,
  type ChatSocketClient,
  type ChatUser,
  createChat,
  signIn,
  startChatSystem,
  tokenText,
} from "./chat-client.ts";

const CLIENTS = 1000;
const USERS = 50;
const QUESTIONS = ["페트병은 어떻게 버려?", "소파 버리려면?", "플라스틱 버리면 어떤 캐릭터 얻어?"];

let system: RunningProcess;
let base: string;
let users: ChatUser[];

beforeAll(async () => {
  ({ system, base } = await startChatSystem());
  users = await Promise.all(Array.from({ length: USERS }, (_, i) => signIn(base, `load-${i}`)));
}, 120_000);

afterAll(() => stopProcess(system), 15_000);

describe(`${CLIENTS} concurrent WebSocket clients`, () => {
  it("each gets its own complete reply: no loss, no crossed streams", async () => {
    const chats: string[] = [];
    for (let i = 0; i < CLIENTS; i += 50) {
      chats.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, (_, j) => createChat(base, users[(i + j) % USERS]!)),
        )),
      );
    }
    const sockets: ChatSocketClient[] = chats.map((_, i) => bearerSocket(base, users[i % USERS]!));
    await Promise.all(sockets.map((s) => s.opened));
    const started = performance.now();
    const results = await Promise.allSettled(
      sockets.map((socket, i) =>
        socket.ask(chats[i]!, { message: QUESTIONS[i % QUESTIONS.length]! }, `c${i}`, 240_000),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const failures = results.flatMap((r, i) =>
      r.status === "rejected" ? [`client ${i}: ${String(r.reason)}`] : [],
    );
    expect(failures.slice(0, 5)).toEqual([]);
    results.forEach((result, i) => {
      if (result.status !== "fulfilled") return;
      const socket = sockets[i]!;
      // Every frame this socket got is about its own job (or its own acknowledgement).
      const foreign = socket.frames.filter(
        (f) => f.data?.job_id !== result.value.jobId || (f.data?.ref && f.data.ref !== `c${i}`),
      );
      expect(foreign).toEqual([]);
      const done = result.value.events.at(-1)!;
      expect(done.event).toBe("done");
      expect(tokenText(result.value.events)).toBe(done.data.result.answer);
    });
    console.log(`${CLIENTS} WebSocket chats completed in ${seconds.toFixed(1)} s`);
    for (const socket of sockets) socket.close();
  }, 300_000);
});
