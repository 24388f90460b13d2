/**
 * http benchmark (`npm run bench -- http`): the gateway against a raw Bun.serve hello, each in
 * its own process, the load generator (wrk, else oha, else autocannon's CLI) in a third. Rows:
 * - raw Bun.serve hello: the baseline the goals are judged against;
 * - for each gateway row, two raw Bun.serve controls: one that sends the bytes the contract makes
 *   the gateway send (security headers, request id, RateLimit headers) without any of its code,
 *   and a "floor" that also reads from the request what the contract needs (path, method,
 *   request id, Origin; for the guarded path the credentials and declared body size), so the
 *   table shows how much of each gap the contract's bytes and reads account for;
 * - gateway /healthz: every plugin on (request context, CORS, security headers, RED metrics,
 *   error boundary), no guard, no RPC;
 * - guarded 404: an authenticated request to a path no route serves, so the gateway answers alone
 *   after the session guard (token verification, revocation check, per-user rate limit in the
 *   gateway's in-process cache; with REDIS_URL it would add a Redis round trip).
 * Each figure is the median of BENCH_ROUNDS alternating rounds (default 7: the box is noisy) of
 * BENCH_SECONDS (default 3 s); the ratio is the median of each round's ratio to the hello of the
 * same round.
 * The gateway runs alone (gateway/main.ts); the auth service that issues the token and its keys
 * runs in an all-in-one process beside it, paused (SIGSTOP) while measured: idle, it still takes
 * ~8 % of a core (pollers, timers), on a box of two.
 * The gateway and the controls run with the runtime environment our processes ship with
 * (RUNTIME_ENV); the baseline hello runs on Bun's defaults, as the raw library, and a second hello
 * with RUNTIME_ENV shows how much of the ratio that environment gives by itself.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { RUNTIME_ENV } from "../../catalog/components.ts";
import { devLogin } from "../../test/support/dev-login.ts";
import { allInOneEnv, freePort, waitFor } from "../../test/support/processes.ts";
import { cpuMs, minorFaults } from "./cpu.ts";
import { type LoadResult, load, loadGenerator } from "./load.ts";
import { alternate, fmt, machineNote, markdownTable, median, writeResult } from "./table.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONNECTIONS = 50;

/**
 * Data-store URLs stay out: the gateway and the system run on their embedded defaults. So does
 * the runtime environment, unless given: the baseline hello must run on Bun's own defaults
 * whatever the shell that started the benchmark holds.
 */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const { DATABASE_URL, REDIS_URL, AMQP_URL, ...rest } = process.env as Record<string, string>;
  void DATABASE_URL;
  void REDIS_URL;
  void AMQP_URL;
  for (const name of Object.keys(RUNTIME_ENV)) delete rest[name];
  return { ...rest, LOG_LEVEL: "silent", ...extra };
}

function spawnBun(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, {
    env: cleanEnv(env),
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** ready waits until `url` answers with `status` (a control server answers nothing but 404). */
async function ready(url: string, what: string, timeoutMs = 60_000, status = 200): Promise<void> {
  await waitFor(
    async () => ((await fetch(url)).status === status ? true : undefined),
    timeoutMs,
    what,
  );
}

const HELLO_AS_SHIPPED = "control: raw Bun.serve hello, with our runtime environment";
const HEALTHZ_BYTES = "control: raw Bun.serve, /healthz's bytes (headers + request id)";
const HEALTHZ_FLOOR = "control: /healthz's bytes + the reads the contract needs";
const NOT_FOUND_BYTES = "control: raw Bun.serve, the guarded 404's bytes (+ RateLimit headers)";
const NOT_FOUND_FLOOR = "control: the guarded 404's bytes + the reads the contract needs";

interface Target {
  readonly name: string;
  /** The server process, whose CPU time is read around each round. */
  readonly pid: number | undefined;
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** The status every answer must have. */
  readonly status: number;
  /** The ratio the issue asks for, if any. */
  readonly goal?: number;
  /**
   * The control rows (by name): the hello in this row's runtime environment, this row's bytes,
   * and its bytes plus its required reads.
   */
  readonly controls?: { readonly hello: string; readonly bytes: string; readonly floor: string };
}

async function checkStatus(target: Target): Promise<void> {
  const response = await fetch(target.url, { headers: target.headers });
  await response.arrayBuffer();
  if (response.status !== target.status) {
    throw new Error(`${target.name}: answered ${response.status}, expected ${target.status}`);
  }
}

/** A server under test: its process, and where it answers. */
interface Served {
  readonly pid: number | undefined;
  readonly base: string;
}

/** startServer spawns a Bun server on a free port (its PORT) and keeps it for the clean-up. */
async function startServer(
  children: ChildProcess[],
  args: string[],
  env: Record<string, string>,
): Promise<Served> {
  const port = await freePort();
  const child = spawnBun(args, { ...env, PORT: String(port) });
  children.push(child);
  return { pid: child.pid, base: `http://127.0.0.1:${port}` };
}

const CONTROL_MODES = [
  "healthz-headers",
  "healthz-floor",
  "not-found-headers",
  "not-found-floor",
] as const;
type ControlMode = (typeof CONTROL_MODES)[number];

interface Servers {
  readonly gateway: Served;
  readonly hello: Served;
  readonly shippedHello: Served;
  readonly controls: Readonly<Record<ControlMode, Served>>;
}

/**
 * startServers starts the gateway, the two hellos and the controls beside a started system, and
 * waits until each answers.
 */
async function startServers(
  children: ChildProcess[],
  systemEnv: Record<string, string>,
): Promise<Servers> {
  const hello = (mode: string, env: Record<string, string>) =>
    startServer(children, ["scripts/bench/hello-server.ts", mode], env);
  const servers: Servers = {
    gateway: await startServer(children, ["gateway/main.ts"], {
      ...systemEnv,
      ...RUNTIME_ENV,
      BIND_HOST: "127.0.0.1",
    }),
    hello: await hello("hello", {}),
    shippedHello: await hello("hello", RUNTIME_ENV),
    controls: Object.fromEntries(
      await Promise.all(CONTROL_MODES.map(async (mode) => [mode, await hello(mode, RUNTIME_ENV)])),
    ),
  };
  await ready(`${servers.gateway.base}/healthz`, "the gateway");
  await ready(`${servers.hello.base}/healthz`, "hello");
  await ready(`${servers.shippedHello.base}/healthz`, "the second hello");
  for (const mode of CONTROL_MODES) {
    const notFound = mode.startsWith("not-found");
    const url = `${servers.controls[mode].base}/${notFound ? "" : "healthz"}`;
    await ready(url, `the ${mode} control`, 60_000, notFound ? 404 : 200);
  }
  return servers;
}

/** The rows, in table order: the baseline first. */
function targetsOf(servers: Servers, auth: Record<string, string>): Target[] {
  const at = (served: Served, path: string) => ({ pid: served.pid, url: `${served.base}${path}` });
  const { gateway, controls } = servers;
  return [
    { name: "raw Bun.serve hello (baseline)", ...at(servers.hello, "/healthz"), status: 200 },
    { name: HELLO_AS_SHIPPED, ...at(servers.shippedHello, "/healthz"), status: 200 },
    { name: HEALTHZ_BYTES, ...at(controls["healthz-headers"], "/healthz"), status: 200 },
    { name: HEALTHZ_FLOOR, ...at(controls["healthz-floor"], "/healthz"), status: 200 },
    {
      name: "gateway /healthz (no guard, no RPC)",
      ...at(gateway, "/healthz"),
      status: 200,
      goal: 0.8,
      controls: { hello: HELLO_AS_SHIPPED, bytes: HEALTHZ_BYTES, floor: HEALTHZ_FLOOR },
    },
    {
      name: NOT_FOUND_BYTES,
      ...at(controls["not-found-headers"], "/api/v1/nowhere"),
      headers: auth,
      status: 404,
    },
    {
      name: NOT_FOUND_FLOOR,
      ...at(controls["not-found-floor"], "/api/v1/nowhere"),
      headers: auth,
      status: 404,
    },
    {
      name: "gateway, authenticated 404 (guard only)",
      ...at(gateway, "/api/v1/nowhere"),
      headers: auth,
      status: 404,
      goal: 0.6,
      controls: { hello: HELLO_AS_SHIPPED, bytes: NOT_FOUND_BYTES, floor: NOT_FOUND_FLOOR },
    },
  ];
}

/** measure loads one target for a round, reading its server's CPU time and page faults around it. */
async function measure(target: Target): Promise<Round> {
  const cpuBefore = cpuMs(target.pid);
  const faultsBefore = minorFaults(target.pid);
  const result = await load(target, CONNECTIONS, SECONDS);
  const cpu = cpuMs(target.pid) - cpuBefore;
  const requests = result.rps * SECONDS;
  return {
    ...result,
    cpuUsPerRequest: (cpu * 1000) / requests,
    faultsPerKiloRequest: ((minorFaults(target.pid) - faultsBefore) * 1000) / requests,
  };
}

export async function run(): Promise<string> {
  const children: ChildProcess[] = [];
  try {
    const systemEnv = await allInOneEnv({ RATE_LIMIT_USER_PER_MINUTE: "1000000000" });
    const system = spawnBun(["scripts/start.ts"], { ...systemEnv, ...RUNTIME_ENV });
    children.push(system);
    const servers = await startServers(children, systemEnv);
    const systemBase = `http://127.0.0.1:${systemEnv.PORT}`;
    await ready(`${systemBase}/readyz`, "the system", 90_000);
    const auth = (await devLogin(systemBase, `bench-${Date.now()}`)).headers;
    const targets = targetsOf(servers, auth);
    // Every target answers as expected (the gateway has verified the token and holds it) before
    // the system is paused; nothing measured needs it.
    for (const target of targets) await checkStatus(target);
    system.kill("SIGSTOP");
    for (const target of targets) await load(target, CONNECTIONS, 1); // warm-up, not counted
    return report(targets, await alternate(targets, ROUNDS, measure));
  } finally {
    for (const child of children) child.kill("SIGCONT");
    for (const child of children) child.kill("SIGTERM");
  }
}

type Round = LoadResult & { cpuUsPerRequest: number; faultsPerKiloRequest: number };

function report(targets: Target[], results: Round[][]): string {
  const baseline = results[0]!;
  const rows = targets.map((target, i) => {
    const list = results[i]!;
    const ratio = median(list.map((r, round) => r.rps / baseline[round]!.rps));
    const cpu = median(list.map((r) => r.cpuUsPerRequest));
    const cpuRatio = median(
      list.map((r, round) => baseline[round]!.cpuUsPerRequest / r.cpuUsPerRequest),
    );
    // The guarded row answers 404 on purpose; every other row must answer 2xx.
    const unexpected = list.reduce(
      (sum, r) => sum + r.errors + (target.status < 300 ? r.non2xx : 0),
      0,
    );
    return [
      target.name,
      fmt.int(median(list.map((r) => r.rps))),
      fmt.ms(median(list.map((r) => r.p50Ms))),
      fmt.ms(median(list.map((r) => r.p99Ms))),
      fmt.ratio(ratio),
      `${cpu.toFixed(1)} µs`,
      fmt.ratio(cpuRatio),
      median(list.map((r) => r.faultsPerKiloRequest)).toFixed(0),
      target.goal === undefined
        ? ""
        : `≥ ${target.goal.toFixed(1)}x ${ratio >= target.goal ? "met" : "NOT met"}`,
      String(unexpected),
    ];
  });
  const attribution = targets.flatMap((target) => {
    if (target.controls === undefined) return [];
    const cpuOf = (name: string) =>
      median(results[targets.findIndex((t) => t.name === name)]!.map((r) => r.cpuUsPerRequest));
    const hello = cpuOf(targets[0]!.name);
    const gap = cpuOf(target.name) - hello;
    const runtime = cpuOf(target.controls.hello) - hello;
    const bytes = cpuOf(target.controls.bytes) - hello - runtime;
    const reads = cpuOf(target.controls.floor) - hello - runtime - bytes;
    const code = gap - runtime - bytes - reads;
    const share = (part: number) => `${((100 * part) / gap).toFixed(0)} %`;
    const floorRatio = median(
      results[targets.findIndex((t) => t.name === target.controls!.floor)]!.map(
        (r, round) => r.rps / baseline[round]!.rps,
      ),
    );
    return [
      `- ${target.name}: ${gap.toFixed(1)} µs of CPU per request over the hello: our runtime environment ${runtime.toFixed(1)} µs (${share(runtime)}), the required bytes ${bytes.toFixed(1)} µs (${share(bytes)}), the required reads ${reads.toFixed(1)} µs (${share(reads)}), the gateway's own code ${code.toFixed(1)} µs (${share(code)}). Its floor (bytes + reads in our runtime environment, no code) runs at ${fmt.ratio(floorRatio)} the hello's throughput${target.goal !== undefined && floorRatio < target.goal ? `, below the ${target.goal.toFixed(1)}x goal before any of the gateway's code` : ""}.`,
    ];
  });
  const perRound = targets.map((target, i) => [
    target.name,
    ...results[i]!.map((r) => fmt.int(r.rps)),
  ]);
  const markdown = [
    "# http: the gateway against a raw Bun.serve hello",
    "",
    machineNote(),
    `${ROUNDS} alternating rounds of ${SECONDS} s per target, ${CONNECTIONS} connections, ${loadGenerator} in its own process; the gateway, the hello server and the system that issued the token each run in their own process. Figures are medians over the rounds; "÷ raw" is the median of each round's ratio to the hello of the same round. See bench/README.md.`,
    "",
    markdownTable(
      [
        "target",
        "req/s",
        "p50",
        "p99",
        "÷ raw",
        "server CPU / req",
        "raw ÷ (CPU)",
        "page faults / 1k req",
        "goal",
        "errors",
      ],
      rows,
    ),
    "",
    `"server CPU / req" is the server process's CPU time (user + system, from /proc) during a round divided by the requests it answered; "raw ÷ (CPU)" is the hello's CPU per request over this row's, which is what the throughput ratio would be with a core to itself; "page faults" are the server's minor page faults per thousand requests (memory its allocator gave back to the OS and touched again). The goal column judges the throughput ratio against the hello on Bun's defaults; the control rows are not goals, they say how much of each gap our runtime environment (RUNTIME_ENV in catalog/components.ts; negative: it saves), the contract's bytes and its reads account for (medians of CPU per request):`,
    "",
    ...attribution,
    "",
    "Requests per second in each round:",
    "",
    markdownTable(["target", ...results[0]!.map((_, round) => `round ${round + 1}`)], perRound),
  ].join("\n");
  writeResult("http", markdown);
  return markdown;
}

if (import.meta.main) {
  console.log(await run());
  process.exit(0);
}
