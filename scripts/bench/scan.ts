/**
 * scan benchmark: the whole system (all-in-one child process, embedded detector; real servers when
 * their URLs are set) driven from this process like clients: submit latency at 50 concurrent
 * clients, and end-to-end latency (submit → SSE done) with completed scans/s at concurrency 1, 10
 * and 50. The raw baseline of the same run: a Bun.serve hello in its own child process, at the
 * same concurrency as the submits.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { follow, type ScanUser, signIn, submit, upload } from "../../test/scan/scan-client.ts";
import { allInOneEnv, freePort, waitFor } from "../../test/support/processes.ts";
import { samplePhoto } from "../../workers/ai/vision/sample-photo.ts";
import { fmt, machineNote, markdownTable, percentile, writeResult } from "./table.ts";

const SUBMITS = 200;
const SUBMIT_CONCURRENCY = 50;
const E2E = [
  { concurrency: 1, scans: 5 },
  { concurrency: 10, scans: 20 },
  { concurrency: 50, scans: 50 },
];

function spawnChild(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, {
    env: { ...process.env, ...env, LOG_LEVEL: "silent" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function startSystem() {
  const real = Object.fromEntries(
    ["DATABASE_URL", "REDIS_URL", "AMQP_URL"].flatMap((k) =>
      process.env[k] ? [[k, process.env[k]!]] : [],
    ),
  );
  const env = await allInOneEnv({
    ...real,
    RATE_LIMIT_AUTH_PER_MINUTE: "1000000",
    RATE_LIMIT_USER_PER_MINUTE: "1000000",
  });
  const child = spawnChild(["scripts/start.ts"], env);
  const base = `http://127.0.0.1:${env.PORT}`;
  await waitFor(
    async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
    90_000,
    "the system",
  );
  return {
    child,
    base,
    backends: real.DATABASE_URL ? "PostgreSQL + Redis + RabbitMQ" : "embedded defaults",
  };
}

/** pool runs `task` `count` times with `concurrency` in flight, timing each. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<boolean>) {
  const times: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        const ok = await task(i).catch(() => false);
        if (ok) times.push(performance.now() - t);
        else failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    perSecond: times.length / seconds,
    failures,
  };
}

async function helloBaseline() {
  const port = await freePort();
  const child = spawnChild(["scripts/bench/hello-server.ts"], { PORT: String(port) });
  const url = `http://127.0.0.1:${port}/healthz`;
  await waitFor(async () => ((await fetch(url)).ok ? true : undefined), 15_000, "hello");
  const measured = await pool(SUBMITS, SUBMIT_CONCURRENCY, async () => (await fetch(url)).ok);
  child.kill("SIGTERM");
  return measured;
}

export async function run(): Promise<string> {
  const hello = await helloBaseline();
  const system = await startSystem();
  const rows: string[][] = [];
  let submitRow: string[] = [];
  try {
    const users: { user: ScanUser; url: string }[] = [];
    const photo = await samplePhoto();
    for (let i = 0; i < 10; i++) {
      const user = await signIn(system.base, `bench-${i}`);
      users.push({ user, url: await upload(system.base, user, photo, "image/jpeg") });
    }
    const scanOnce = async (i: number) => {
      const { user, url } = users[i % users.length]!;
      const submitted = await submit(system.base, user, {
        image_url: url,
        user_input: "투명 페트병이에요",
      });
      if (submitted.status !== 200) return false;
      const { events } = await follow(system.base, user, submitted.body.job_id);
      return events.at(-1)?.event === "done";
    };
    for (const { concurrency, scans } of E2E) {
      const measured = await pool(scans, concurrency, scanOnce);
      rows.push([
        `end to end, concurrency ${concurrency} (${scans} scans)`,
        fmt.ms(measured.p50),
        fmt.ms(measured.p95),
        measured.perSecond.toFixed(2),
        String(measured.failures),
      ]);
    }
    // Submits last: the jobs they queue would otherwise sit in front of the end-to-end runs.
    const submits = await pool(SUBMITS, SUBMIT_CONCURRENCY, async (i) => {
      const { user, url } = users[i % users.length]!;
      return (await submit(system.base, user, { image_url: url })).status === 200;
    });
    submitRow = [
      `S1 submit, ${SUBMIT_CONCURRENCY} concurrent clients (${SUBMITS} submits)`,
      fmt.ms(submits.p50),
      fmt.ms(submits.p95),
      submits.perSecond.toFixed(0),
      String(submits.failures),
    ];
  } finally {
    system.child.kill("SIGTERM");
  }
  const markdown = [
    "# scan: submit and end-to-end latency",
    "",
    machineNote(),
    `The system (${system.backends}, embedded COCO detector on TF.js WASM) runs in a child process; the clients run in this one. Every end-to-end scan uploads nothing new: 10 users each scan their own copy of the sample photo with "투명 페트병이에요".`,
    "",
    markdownTable(
      ["measure", "p50", "p95", "per second", "lost / failed"],
      [
        [
          `raw Bun.serve hello, ${SUBMIT_CONCURRENCY} concurrent (baseline)`,
          fmt.ms(hello.p50),
          fmt.ms(hello.p95),
          hello.perSecond.toFixed(0),
          String(hello.failures),
        ],
        submitRow,
        ...rows,
      ],
    ),
    "",
    "Goals on this 2-core machine: submit p95 ≤ 50 ms; end-to-end p95 ≤ 2 s at concurrency 10; no scan lost at 50.",
  ].join("\n");
  writeResult("scan", markdown);
  return markdown;
}

if (import.meta.main) console.log(await run());
