/**
 * chat benchmark: the whole system (all-in-one child on the real servers when their URLs are set,
 * the ai worker with the embedded agent as its own child) behind a gateway child, driven by the
 * load generator in its own child (chat-load.ts):
 * - time to first token (and submit, first event, done) at 1 and 100 concurrent chats, over
 *   C6 + SSE and over the WebSocket;
 * - the gateway's memory per idle SSE stream and per idle WebSocket at 10,000 connections (RSS
 *   delta / connection, each on a fresh gateway), beside a raw Bun.serve holding the same.
 * Every child gets a raised descriptor limit (10,000 sockets each side).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Connection } from "rabbitmq-client";
import { workQueueName } from "../../lib/bus/topology.ts";
import { allInOneEnv, freePort, waitFor } from "../../test/support/processes.ts";
import { fmt, machineNote, markdownTable, percentile, writeResult } from "./table.ts";

const IDLE_CONNECTIONS = 10_000;
const FD_LIMIT = 65_536;
const TTFT_RUNS = [
  { channel: "sse", concurrency: 1, count: 20 },
  { channel: "sse", concurrency: 100, count: 200 },
  { channel: "ws", concurrency: 100, count: 200 },
] as const;

/** spawnChild runs a Bun script with the descriptor limit raised as far as this machine allows. */
function spawnChild(args: string[], env: Record<string, string>, pipe = false): ChildProcess {
  const raise = `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
  return spawn("sh", ["-c", raise, process.execPath, ...args], {
    env: { ...process.env, LOG_LEVEL: "silent", ...env },
    stdio: [pipe ? "pipe" : "ignore", pipe ? "pipe" : "ignore", "inherit"],
  });
}

function descriptorLimit(child: ChildProcess): string {
  const limits = readFileSync(`/proc/${child.pid}/limits`, "utf8");
  return /Max open files\s+(\d+)/.exec(limits)?.[1] ?? "?";
}

/** cpuMs is the user + system CPU time a process has used so far. */
function cpuMs(child: ChildProcess): number {
  const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime (fields 14 and 15 of stat) in clock ticks, 100 a second on Linux.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssBytes(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ready(url: string, what: string) {
  await waitFor(async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined), 90_000, what);
}

export async function startSystem() {
  const real = Object.fromEntries(
    ["DATABASE_URL", "REDIS_URL", "AMQP_URL"].flatMap((k) =>
      process.env[k] ? [[k, process.env[k]!]] : [],
    ),
  );
  const env = await allInOneEnv({
    ...real,
    RATE_LIMIT_AUTH_PER_MINUTE: "100000000",
    RATE_LIMIT_USER_PER_MINUTE: "100000000",
    RATE_LIMIT_CHAT_MESSAGES_PER_MINUTE: "100000000",
    // Queued jobs feed the idle streams; the sweeper must leave them alone meanwhile.
    CHAT_JOB_IDLE_SECONDS: "3600",
    AUTH_DEV_LOGIN: "true",
  });
  const rest = spawnChild(["scripts/start.ts"], { ...env, ALL_IN_ONE_EXCEPT: "ai" });
  const base = `http://127.0.0.1:${env.PORT}`;
  let ai: ChildProcess | undefined;
  try {
    // Without the ai worker the system is alive but not ready; it is once the worker is up.
    await waitFor(
      async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined),
      90_000,
      "the system",
    );
    ai = await startAiWorker(env);
    await ready(base, "the system with its ai worker");
  } catch (err) {
    ai?.kill("SIGKILL");
    rest.kill("SIGKILL");
    throw err;
  }
  return {
    env,
    rest,
    ai,
    backends: real.DATABASE_URL ? "PostgreSQL + Redis + RabbitMQ" : "embedded defaults",
  };
}

/** startAiWorker runs the ai worker apart from the all-in-one, so it can be stopped alone. */
async function startAiWorker(env: Record<string, string>): Promise<ChildProcess> {
  return spawnChild(["workers/ai/main.ts"], {
    ...env,
    GRPC_PORT: env.AI_ADDR!.split(":").at(-1)!,
    METRICS_PORT: String(await freePort()),
    BIND_HOST: "127.0.0.1",
  });
}

/**
 * drainQueuedChats runs an ai worker again until it has taken every chat the idle rows left
 * queued. On a shared broker (the tests use the same one), a backlog left behind makes the next
 * system's chats wait behind it: a browser test once timed out that way. With the embedded
 * broker the queue ends with the process, and there is nothing to do.
 */
async function drainQueuedChats(env: Record<string, string>, timeoutMs = 120_000) {
  if (!env.AMQP_URL) return;
  const ai = await startAiWorker(env);
  const broker = new Connection(env.AMQP_URL);
  try {
    await waitFor(
      async () => {
        const queue = workQueueName("ai.chat");
        const { messageCount } = await broker.queueDeclare({ queue, passive: true });
        return messageCount === 0 ? true : undefined;
      },
      timeoutMs,
      "the idle rows' queued chats to be taken",
    );
    // The last ones taken run to their end before the worker stops.
    await sleep(3000);
  } finally {
    ai.kill("SIGTERM");
    await broker.close();
  }
}

export async function startGateway(env: Record<string, string>) {
  const port = await freePort();
  const child = spawnChild(["gateway/main.ts"], {
    ...env,
    PORT: String(port),
    BIND_HOST: "127.0.0.1",
  });
  const url = `http://127.0.0.1:${port}`;
  // Alive is enough: once the ai worker is stopped, no gateway reports ready.
  await waitFor(
    async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined),
    30_000,
    "a gateway",
  ).catch((err: unknown) => {
    child.kill("SIGKILL");
    throw err;
  });
  return { child, url };
}

export async function startBaseline() {
  const port = await freePort();
  const child = spawnChild(["scripts/bench/idle-server.ts"], { PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await ready(url, "the baseline server");
  return { child, url };
}

const LOADER_ENV = { BUN_CONFIG_MAX_HTTP_REQUESTS: "65000" };

/** runLoader runs one load-generator mode to its end and returns its last JSON line. */
export async function runLoader(
  args: string[],
  onLine: (line: string) => void = () => {},
): Promise<Record<string, unknown>> {
  const child = spawnChild(["scripts/bench/chat-load.ts", ...args], LOADER_ENV, true);
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    onLine(line);
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`load generator ${args[0]} exited ${code}`);
  return JSON.parse(lines.at(-1)!);
}

/**
 * idleMemory opens `n` idle connections of `mode` to the server `target` (a fresh process),
 * after a warm-up of 200, and returns the server's RSS growth per connection.
 */
export async function idleMemory(
  mode: "idle-sse" | "idle-ws",
  target: { child: ChildProcess; url: string },
  n: number,
  raw: boolean,
) {
  const hold = async (count: number, measure?: () => Promise<void>) => {
    const child = spawnChild(
      ["scripts/bench/chat-load.ts", mode, target.url, String(count), ...(raw ? ["raw"] : [])],
      LOADER_ENV,
      true,
    );
    const exited = new Promise((resolve) => child.on("exit", resolve));
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).on("line", resolve),
    );
    const opened = Number((JSON.parse(line) as { opened: number }).opened);
    await measure?.();
    child.stdin!.write("close\n");
    await exited;
    return opened;
  };
  await hold(200);
  await sleep(3000);
  const before = rssBytes(target.child);
  let after = before;
  const opened = await hold(n, async () => {
    await sleep(5000);
    after = rssBytes(target.child);
  });
  return { opened, before, after, perConnection: (after - before) / Math.max(1, opened) };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** timeToFirstToken runs each TTFT_RUNS entry through `gateway` and adds its row. */
async function timeToFirstToken(
  system: Awaited<ReturnType<typeof startSystem>>,
  gateway: { child: ChildProcess; url: string },
  ttftRows: string[][],
) {
  const processes = { gateway: gateway.child, services: system.rest, ai: system.ai };
  for (const run of TTFT_RUNS) {
    const cpu: Record<string, number>[] = [];
    const sample = () =>
      cpu.push(
        Object.fromEntries(Object.entries(processes).map(([name, child]) => [name, cpuMs(child)])),
      );
    const result = (await runLoader(
      ["ttft", gateway.url, run.channel, String(run.concurrency), String(run.count)],
      (line) => {
        if (line.startsWith('{"timing"')) sample();
      },
    )) as {
      timings: Record<string, number>[];
      failures: number;
      reasons: string[];
      seconds: number;
    };
    for (const reason of result.reasons) console.error(`chat bench: a chat failed: ${reason}`);
    const perChat = (name: string) => (cpu[1]![name]! - cpu[0]![name]!) / run.count;
    const column = (key: string) => result.timings.map((t) => t[key]!).sort((a, b) => a - b);
    const [submit, firstEvent, firstToken, done] = [
      "submit",
      "firstEvent",
      "firstToken",
      "done",
    ].map(column);
    ttftRows.push([
      `${run.channel === "sse" ? "C6 + SSE" : "WebSocket"}, ${run.concurrency} concurrent (${run.count} chats)`,
      fmt.ms(percentile(submit!, 50)),
      fmt.ms(percentile(firstEvent!, 50)),
      fmt.ms(percentile(firstToken!, 50)),
      fmt.ms(percentile(firstToken!, 95)),
      fmt.ms(percentile(done!, 95)),
      (run.count / result.seconds).toFixed(1),
      `${perChat("gateway").toFixed(1)} / ${perChat("services").toFixed(1)} / ${perChat("ai").toFixed(1)}`,
      String(result.failures),
    ]);
  }
}

export async function run(): Promise<string> {
  const system = await startSystem();
  const ttftRows: string[][] = [];
  const memoryRows: string[][] = [];
  let limits = "";
  try {
    const gateway = await startGateway(system.env);
    limits = `descriptor limit in the children: ${descriptorLimit(gateway.child)} (this shell: see \`ulimit -n\`)`;
    await timeToFirstToken(system, gateway, ttftRows).finally(() => gateway.child.kill("SIGTERM"));
    // From here on jobs stay queued: their streams are the idle connections.
    system.ai.kill("SIGKILL");
    for (const mode of ["idle-sse", "idle-ws"] as const) {
      const fresh = await startGateway(system.env);
      const measured = await idleMemory(mode, fresh, IDLE_CONNECTIONS, false).finally(() =>
        fresh.child.kill("SIGKILL"),
      );
      const baseline = await startBaseline();
      const raw = await idleMemory(mode, baseline, IDLE_CONNECTIONS, true).finally(() =>
        baseline.child.kill("SIGKILL"),
      );
      const name =
        mode === "idle-sse"
          ? "SSE stream (GET …/events, a queued job)"
          : "WebSocket (GET /api/v1/chat/ws)";
      memoryRows.push(
        [
          `gateway: idle ${name}`,
          fmt.int(measured.opened),
          mb(measured.before),
          mb(measured.after),
          kb(measured.perConnection),
        ],
        [
          `raw Bun.serve: idle ${mode === "idle-sse" ? "SSE stream" : "WebSocket"} (baseline)`,
          fmt.int(raw.opened),
          mb(raw.before),
          mb(raw.after),
          kb(raw.perConnection),
        ],
      );
    }
    await drainQueuedChats(system.env);
  } finally {
    system.ai.kill("SIGKILL");
    system.rest.kill("SIGKILL");
  }
  const markdown = [
    "# chat: time to first token and memory per idle connection",
    "",
    machineNote(),
    `The system (${system.backends}) runs in child processes: the all-in-one without the ai worker, the ai worker (embedded agent: keyword intent classifier, retrieval, chunked composer) apart, and a gateway of its own whose memory is read from /proc. The load generator is another child process; ${limits}.`,
    "",
    "## Time to first token (embedded agent)",
    "",
    "Times are from the moment the client sends the message: submit = C6 answered (or the WebSocket's `submitted` frame), first event = the first stage event, first token = the first `token` event, done = the `done` event. Each chat is a fresh conversation; questions rotate through 페트병 / 소파 / 플라스틱 캐릭터; 5 untimed chats warm each run up. CPU ms per chat is each process's user + system time over the timed part, divided by the chats (the load generator's own CPU is not in it; all of it shares the machine's cores).",
    "",
    markdownTable(
      [
        "channel, concurrency",
        "submit p50",
        "first event p50",
        "first token p50",
        "first token p95",
        "done p95",
        "chats/s",
        "CPU ms per chat: gateway / services / ai",
        "failed",
      ],
      ttftRows,
    ),
    "",
    "## Gateway memory per idle connection",
    "",
    `Each row opens ${fmt.int(IDLE_CONNECTIONS)} connections to a fresh process after a warm-up of 200 (opened and closed), waits 5 s, and divides the RSS growth by the connections open. An idle SSE stream (its job queued while the ai worker is stopped) holds the gateway's HTTP response, its place in the shared keepalive timer, and a follower waiting on the job's announcement channel: its WatchJob stream is let go after 2 s without news. An idle WebSocket holds the socket and its ChatSocket. The raw rows are a bare Bun.serve holding the same connections, the floor the runtime sets.`,
    "",
    markdownTable(
      ["connection kind", "open", "RSS before", "RSS after", "per connection"],
      memoryRows,
    ),
    "",
    "Goals: first token p95 ≤ 300 ms at 100 concurrent chats; ≤ 20 KB per idle connection.",
  ].join("\n");
  writeResult("chat", markdown);
  return markdown;
}

if (import.meta.main) console.log(await run());
