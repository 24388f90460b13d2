/**
 * auth benchmark: an authenticated `GET /api/v1/users/me` (session guard, gRPC to the my service,
 * a database read) at 50 connections, beside a raw Bun.serve hello in the same run. The system
 * runs in its own child process (the all-in-one start, on the real servers when their URLs are
 * set), the load generator (wrk, else oha, else autocannon's CLI: scripts/bench/load.ts) in
 * another. Two more rows split the cost: the gateway's
 * /healthz (no guard), and an authenticated request to a path no route serves (guard only, no RPC).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { devLogin } from "../../test/support/dev-login.ts";
import { allInOneEnv, freePort, waitFor } from "../../test/support/processes.ts";
import { type LoadResult, loadGenerator, load as loadTarget } from "./load.ts";
import { fmt, machineNote, markdownTable, writeResult } from "./table.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 2;
const CONNECTIONS = 50;

function spawnServer(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, {
    env: { ...process.env, ...env, LOG_LEVEL: "silent" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function startSystem(): Promise<{ child: ChildProcess; base: string; backends: string }> {
  const real = {
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    AMQP_URL: process.env.AMQP_URL,
  };
  const env = await allInOneEnv({
    RATE_LIMIT_USER_PER_MINUTE: "100000000",
    ...Object.fromEntries(Object.entries(real).filter(([, value]) => value)),
  } as Record<string, string>);
  const child = spawnServer(["scripts/start.ts"], env);
  const base = `http://127.0.0.1:${env.PORT}`;
  await waitFor(
    async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
    60_000,
    "the system",
  );
  const backends = real.DATABASE_URL
    ? "PostgreSQL + Redis + RabbitMQ"
    : "embedded PGlite + in-process cache";
  return { child, base, backends };
}

async function startHello(): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawnServer(["scripts/bench/hello-server.ts"], { PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined),
    15_000,
    "hello",
  );
  return { child, base };
}

function load(url: string, headers: Record<string, string> = {}): Promise<LoadResult> {
  return loadTarget({ url, headers }, CONNECTIONS, SECONDS);
}

interface Target {
  readonly name: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** The status every answer should have. */
  readonly status: number;
}

export async function run(): Promise<string> {
  const system = await startSystem();
  const hello = await startHello();
  const auth = (await devLogin(system.base, `bench-${Date.now()}`)).headers;
  const targets: Target[] = [
    { name: "raw Bun.serve hello (baseline)", url: `${hello.base}/healthz`, status: 200 },
    { name: "gateway /healthz (no guard, no RPC)", url: `${system.base}/healthz`, status: 200 },
    {
      name: "guard only (authenticated, no route: 404)",
      url: `${system.base}/api/v1/nowhere`,
      headers: auth,
      status: 404,
    },
    {
      name: "GET /api/v1/users/me (guard + gRPC + DB)",
      url: `${system.base}/api/v1/users/me`,
      headers: auth,
      status: 200,
    },
  ];
  const results = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  try {
    for (const target of targets) await load(target.url, target.headers); // warm-up, not counted
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets)
        results.get(target.name)!.push(await load(target.url, target.headers));
    }
  } finally {
    system.child.kill("SIGTERM");
    hello.child.kill("SIGTERM");
  }
  return report(targets, results, system.backends);
}

function report(targets: Target[], results: Map<string, LoadResult[]>, backends: string): string {
  const mean = (list: LoadResult[], pick: (r: LoadResult) => number) =>
    list.reduce((sum, r) => sum + pick(r), 0) / list.length;
  const baseline = mean(results.get(targets[0]!.name)!, (r) => r.rps);
  const rows = targets.map((target) => {
    const list = results.get(target.name)!;
    const rps = mean(list, (r) => r.rps);
    // The load generator counts non-2xx; the guard-only row answers 404 on purpose.
    const unexpected = list.reduce(
      (sum, r) => sum + r.errors + (target.status === 200 ? r.non2xx : 0),
      0,
    );
    return [
      target.name,
      fmt.int(rps),
      fmt.ms(mean(list, (r) => r.p50Ms)),
      fmt.ms(mean(list, (r) => r.p99Ms)),
      fmt.ratio(rps / baseline),
      String(unexpected),
    ];
  });
  const markdown = [
    "# auth: authenticated GET /api/v1/users/me vs raw Bun.serve",
    "",
    machineNote(),
    `${ROUNDS} alternating rounds of ${SECONDS} s each, ${CONNECTIONS} connections; the system (${backends}) runs in one child process, the hello server in another, ${loadGenerator} in a third.`,
    "",
    markdownTable(["target", "req/s", "p50", "p99", "÷ raw", "errors"], rows),
    "",
    "Goal: ≥ 10,000 req/s with p99 ≤ 20 ms for /users/me on this 2-core machine.",
  ].join("\n");
  writeResult("auth", markdown);
  return markdown;
}

if (import.meta.main) console.log(await run());
