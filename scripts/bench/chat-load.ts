// The chat benchmark's load generator, run as its own process (scripts/bench/chat.ts starts it
// with a raised descriptor limit and fetch's connection cap lifted). One mode per run:
//   ttft <base> <sse|ws> <concurrency> <count>   time to first token, printed as one JSON line;
//   idle-sse <base> <connections> [raw]          holds idle SSE streams, prints "ready" JSON, then
//   idle-ws <base> <connections> [raw]           waits for "close" on stdin, closes and exits.
// `raw` is for the baseline server: no sign-in, no jobs.
import { createInterface } from "node:readline";
import {
  ChatSocketClient,
  type ChatUser,
  createChat,
  sendMessage,
  signIn,
} from "../../test/chat/chat-client.ts";

const [mode, base, ...args] = process.argv.slice(2);
const QUESTIONS = ["페트병은 어떻게 버려?", "소파 버리려면?", "플라스틱 버리면 어떤 캐릭터 얻어?"];

/** pool runs `task` count times with `concurrency` in flight. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await task(i).catch((err: unknown) =>
          failures.push(String((err as Error)?.message ?? err)),
        );
      }
    }),
  );
  return failures;
}

interface Timing {
  submit: number;
  firstEvent: number;
  firstToken: number;
  done: number;
}

/** overSse: C6, then the SSE stream; times from the moment the POST starts. */
async function overSse(user: ChatUser, chatId: string, message: string): Promise<Timing> {
  const t0 = performance.now();
  const sent = await sendMessage(base!, user, chatId, { message });
  if (sent.status !== 200) throw new Error(`C6 ${sent.status}`);
  const submit = performance.now() - t0;
  const response = await fetch(`${base}/api/v1/chat/${sent.body.job_id}/events`, {
    headers: user.headers,
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let firstEvent = 0;
  let firstToken = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error("stream ended before done");
    buffer += decoder.decode(value, { stream: true });
    const now = performance.now() - t0;
    if (!firstEvent && buffer.includes("event: ")) firstEvent = now;
    if (!firstToken && buffer.includes("event: token")) firstToken = now;
    if (buffer.includes("event: done") || buffer.includes("event: error")) {
      await reader.cancel();
      if (!firstToken) throw new Error("no token");
      return { submit, firstEvent, firstToken, done: now };
    }
  }
}

/** overSocket: a message frame on the worker's own socket; times from the send. */
async function overSocket(
  socket: ChatSocketClient,
  chatId: string,
  message: string,
): Promise<Timing> {
  const ref = crypto.randomUUID();
  const from = socket.frames.length;
  const t0 = performance.now();
  socket.send({ type: "message", ref, chat_id: chatId, message });
  const ack = await socket.next((f) => f.data?.ref === ref, 60_000, from);
  if (ack.event !== "submitted") throw new Error(JSON.stringify(ack.data));
  const submit = performance.now() - t0;
  const jobId = ack.data.job_id;
  const mine = (event: string) => (f: { event: string; data: { job_id?: string } }) =>
    f.data?.job_id === jobId && f.event === event;
  await socket.next((f) => f.data?.job_id === jobId && f.event !== "submitted", 60_000, from);
  const firstEvent = performance.now() - t0;
  await socket.next(mine("token"), 60_000, from);
  const firstToken = performance.now() - t0;
  await socket.next(mine("done"), 60_000, from);
  return { submit, firstEvent, firstToken, done: performance.now() - t0 };
}

async function ttft(channel: string, concurrency: number, count: number) {
  const users = await Promise.all(
    Array.from({ length: Math.min(concurrency, 20) }, (_, i) => signIn(base!, `bench-${i}`)),
  );
  const chats = await Promise.all(
    Array.from({ length: count }, (_, i) => createChat(base!, users[i % users.length]!)),
  );
  const sockets =
    channel === "ws"
      ? users.map((u) => new ChatSocketClient(base!, { authorization: `Bearer ${u.token}` }))
      : [];
  await Promise.all(sockets.map((s) => s.opened));
  // Warm-up, untimed: the first answers of a fresh system load the agent's data and JIT its code.
  const warmChats = await Promise.all(users.slice(0, 5).map((u) => createChat(base!, u)));
  for (const [i, chatId] of warmChats.entries()) {
    const message = QUESTIONS[i % QUESTIONS.length]!;
    await (channel === "ws"
      ? overSocket(sockets[i]!, chatId, message)
      : overSse(users[i]!, chatId, message));
  }
  const timings: Timing[] = [];
  // The coordinator reads the system's CPU time between these two lines.
  console.log(JSON.stringify({ timing: "start" }));
  const started = performance.now();
  const failures = await pool(count, concurrency, async (i) => {
    const user = i % users.length;
    const message = QUESTIONS[i % QUESTIONS.length]!;
    timings.push(
      channel === "ws"
        ? await overSocket(sockets[user]!, chats[i]!, message)
        : await overSse(users[user]!, chats[i]!, message),
    );
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ timing: "end" }));
  for (const socket of sockets) socket.close();
  return { timings, failures: failures.length, reasons: failures.slice(0, 3), seconds };
}

/** waitForClose resolves when the coordinator writes "close" on stdin. */
function waitForClose(): Promise<void> {
  return new Promise((resolve) => {
    createInterface({ input: process.stdin }).on("line", (line) => {
      if (line.trim() === "close") resolve();
    });
  });
}

/** jobsToWatch: queued jobs (the ai worker is stopped), so their streams stay open and idle. */
async function jobsToWatch(raw: boolean): Promise<{ user?: ChatUser; jobs: string[] }> {
  if (raw) return { jobs: ["raw-job-0001"] };
  const user = await signIn(base!, "idle");
  const chatId = await createChat(base!, user);
  const jobs: string[] = [];
  for (let i = 0; i < 20; i++) {
    const sent = await sendMessage(base!, user, chatId, { message: `대기 ${i}` });
    if (sent.status !== 200) throw new Error(`C6 ${sent.status} ${JSON.stringify(sent.body)}`);
    jobs.push(sent.body.job_id);
  }
  return { user, jobs };
}

async function inBatches(n: number, open: (i: number) => Promise<boolean>) {
  let opened = 0;
  for (let i = 0; i < n; i += 500) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(500, n - i) }, (_, j) => open(i + j).catch(() => false)),
    );
    opened += batch.filter(Boolean).length;
  }
  return opened;
}

async function idleSse(n: number, raw: boolean) {
  const { user, jobs } = await jobsToWatch(raw);
  const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  const opened = await inBatches(n, async (i) => {
    const response = await fetch(`${base}/api/v1/chat/${jobs[i % jobs.length]}/events`, {
      headers: user?.headers ?? {},
    });
    if (response.status !== 200) return false;
    const reader = response.body!.getReader();
    readers.push(reader);
    // The first frame (the queued stage's replay) says the stream is live end to end.
    const first = await reader.read();
    return !first.done;
  });
  console.log(JSON.stringify({ ready: true, opened }));
  await waitForClose();
  await Promise.all(readers.map((r) => r.cancel().catch(() => {})));
}

async function idleWs(n: number, raw: boolean) {
  const user = raw ? undefined : await signIn(base!, "idle-ws");
  const sockets: ChatSocketClient[] = [];
  const opened = await inBatches(n, async () => {
    const socket = new ChatSocketClient(
      base!,
      user ? { authorization: `Bearer ${user.token}` } : {},
    );
    sockets.push(socket);
    await socket.opened;
    return true;
  });
  console.log(JSON.stringify({ ready: true, opened }));
  await waitForClose();
  for (const socket of sockets) socket.close();
}

if (mode === "ttft") {
  const [channel, concurrency, count] = args;
  console.log(JSON.stringify(await ttft(channel!, Number(concurrency), Number(count))));
} else if (mode === "idle-sse") {
  await idleSse(Number(args[0]), args[1] === "raw");
} else if (mode === "idle-ws") {
  await idleWs(Number(args[0]), args[1] === "raw");
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
process.exit(0);
