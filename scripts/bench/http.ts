/**
 * http benchmark: the gateway's /healthz (every plugin on: request context, CORS, security
 * headers, metrics, error boundary) against a raw Bun.serve hello, measured alternately in one run
 * with autocannon, and reported as a ratio.
 */
import { type ChildProcess, spawn } from "node:child_process";
import autocannon from "autocannon";
import { freePort, waitFor } from "../../test/support/processes.ts";
import { fmt, machineNote, markdownTable, writeResult } from "./table.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 2;
const CONNECTIONS = 50;

async function start(args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, PORT: String(port), BIND_HOST: "127.0.0.1", LOG_LEVEL: "silent" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitFor(
    async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined),
    15_000,
    args.join(" "),
  );
  return child;
}

function load(url: string): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: SECONDS }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

export async function run(): Promise<string> {
  const gatewayPort = await freePort();
  const helloPort = await freePort();
  const gateway = await start(["gateway/main.ts"], gatewayPort);
  const hello = await start(["scripts/bench/hello-server.ts"], helloPort);
  const totals = { gateway: [] as autocannon.Result[], hello: [] as autocannon.Result[] };
  try {
    await load(`http://127.0.0.1:${gatewayPort}/healthz`); // warm-up, not counted
    await load(`http://127.0.0.1:${helloPort}/healthz`);
    for (let round = 0; round < ROUNDS; round++) {
      totals.gateway.push(await load(`http://127.0.0.1:${gatewayPort}/healthz`));
      totals.hello.push(await load(`http://127.0.0.1:${helloPort}/healthz`));
    }
  } finally {
    gateway.kill("SIGTERM");
    hello.kill("SIGTERM");
  }
  const mean = (results: autocannon.Result[], pick: (r: autocannon.Result) => number) =>
    results.reduce((sum, r) => sum + pick(r), 0) / results.length;
  const row = (name: string, results: autocannon.Result[]) => [
    name,
    fmt.int(mean(results, (r) => r.requests.average)),
    fmt.ms(mean(results, (r) => r.latency.p50)),
    fmt.ms(mean(results, (r) => r.latency.p99)),
    String(results.reduce((sum, r) => sum + r.errors + r.non2xx, 0)),
  ];
  const ratio =
    mean(totals.gateway, (r) => r.requests.average) / mean(totals.hello, (r) => r.requests.average);
  const markdown = [
    "# http: gateway /healthz vs raw Bun.serve",
    "",
    machineNote(),
    `${ROUNDS} alternating rounds of ${SECONDS} s each, ${CONNECTIONS} connections, autocannon in this process (it is client-bound near 75k req/s on 2 cores).`,
    "",
    markdownTable(
      ["server", "req/s", "p50", "p99", "errors + non-2xx"],
      [
        row("gateway (Elysia, all plugins)", totals.gateway),
        row("raw Bun.serve hello", totals.hello),
      ],
    ),
    "",
    `gateway ÷ raw: ${fmt.ratio(ratio)} of the raw server's throughput.`,
  ].join("\n");
  writeResult("http", markdown);
  return markdown;
}

if (import.meta.main) console.log(await run());
