/**
 * rpc benchmark (`npm run bench -- rpc`): unary Echo calls through lib/rpc against the plain
 * libraries, in one run. Each server runs in a child process of its own (scripts/bench/echo-server.ts),
 * the clients in this one. Pairs:
 * - plain grpc-js client → plain grpc-js server: the raw baseline;
 * - lib/rpc client → lib/rpc server, grpc-js both ends: what every service call costs;
 * - plain connect client → plain connect server, and lib/rpc over connect, for comparison.
 * lib/rpc calls run inside a request context, so they carry what a gateway call carries (request
 * id, traceparent, user id), with a deadline, metrics and retry policy on both ends; every server
 * answers with the text alone, so answers are the same size. Each figure is the median of BENCH_ROUNDS alternating rounds
 * (default 5) of BENCH_SECONDS (default 2 s) per pair and concurrency; ratios are the median of
 * each round's ratio to the plain grpc-js pair at the same concurrency in the same round.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import {
  type EchoRequest,
  EchoRequestSchema,
  type EchoResponse,
  EchoResponseSchema,
  EchoService,
} from "../../gen/eco2/testing/v1/echo_pb.ts";
import { LazyTraceContext } from "../../lib/context/lazy-context.ts";
import { runWithContext } from "../../lib/context/request-context.ts";
import { createRpcClient } from "../../lib/rpc/index.ts";
import { cpuMs } from "./cpu.ts";
import {
  alternate,
  fmt,
  machineNote,
  markdownTable,
  median,
  percentile,
  writeResult,
} from "./table.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = [1, 50];

type Call = () => Promise<unknown>;

interface Pair {
  readonly name: string;
  readonly server: string;
  readonly serverPid: number | undefined;
  readonly call: Call;
  close(): void;
}

async function startServer(kind: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ["scripts/bench/echo-server.ts", kind], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once("exit", (code) => reject(new Error(`echo server ${kind} exited ${code}`)));
  });
  return { port, child };
}

function plainGrpcJsClient(port: number): { call: Call; close(): void } {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const path = `/${EchoService.typeName}/${EchoService.method.echo.name}`;
  const serialize = (value: EchoRequest) => Buffer.from(toBinary(EchoRequestSchema, value));
  const deserialize = (bytes: Buffer) => fromBinary(EchoResponseSchema, bytes);
  const request = create(EchoRequestSchema, { text: "이코" });
  const call = () =>
    new Promise<EchoResponse>((resolve, reject) => {
      client.makeUnaryRequest(path, serialize, deserialize, request, (err, value) =>
        err ? reject(err) : resolve(value!),
      );
    });
  return { call, close: () => client.close() };
}

function plainConnectClient(port: number): { call: Call; close(): void } {
  const client = createClient(
    EchoService,
    createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }),
  );
  return { call: () => client.echo({ text: "이코" }), close: () => undefined };
}

function ourClient(port: number, transport: "grpc-js" | "connect"): { call: Call; close(): void } {
  const client = createRpcClient(EchoService, { transport, address: `127.0.0.1:${port}` });
  // The context a signed-in gateway request has: its ids and user travel as metadata.
  const context = new LazyTraceContext({
    requestId: "bench-request",
    incomingTraceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    userId: "bench-user",
  });
  return {
    call: () => runWithContext(context, () => client.echo({ text: "이코" })),
    close: () => client.close(),
  };
}

interface Round {
  calls: number;
  rate: number;
  /** CPU time of client and server together per call, µs. */
  cpuUsPerCall: number;
  p50: number;
  p99: number;
  errors: number;
}

async function measure(call: Call, concurrency: number, seconds: number): Promise<Round> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await call();
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    calls: latencies.length,
    rate: latencies.length / elapsed,
    cpuUsPerCall: Number.NaN,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

export async function run(): Promise<string> {
  const children: ChildProcess[] = [];
  const pairs: Pair[] = [];
  try {
    const server = async (kind: string) => {
      const started = await startServer(kind);
      children.push(started.child);
      return started.port;
    };
    const add = (name: string, kind: string, client: { call: Call; close(): void }) =>
      pairs.push({ name, server: kind, serverPid: children.at(-1)?.pid, ...client });
    add(
      "plain grpc-js (baseline)",
      "plain-grpc-js",
      plainGrpcJsClient(await server("plain-grpc-js")),
    );
    add("lib/rpc over grpc-js", "grpc-js", ourClient(await server("grpc-js"), "grpc-js"));
    add("plain connect", "plain-connect", plainConnectClient(await server("plain-connect")));
    add("lib/rpc over connect", "connect", ourClient(await server("connect"), "connect"));
    const cells = CONCURRENCY.flatMap((concurrency) =>
      pairs.map((pair) => ({ pair, concurrency })),
    );
    for (const cell of cells) await measure(cell.pair.call, cell.concurrency, 0.5); // warm-up
    const results = await alternate(cells, ROUNDS, async (cell) => {
      const cpu = () => cpuMs(cell.pair.serverPid) + cpuMs(process.pid);
      const before = cpu();
      const round = await measure(cell.pair.call, cell.concurrency, SECONDS);
      return { ...round, cpuUsPerCall: ((cpu() - before) * 1000) / round.calls };
    });
    return report(cells, results);
  } finally {
    for (const pair of pairs) pair.close();
    for (const child of children) child.kill("SIGTERM");
  }
}

function report(cells: { pair: Pair; concurrency: number }[], results: Round[][]): string {
  const goals: Record<number, number> = { 1: 0.7, 50: 0.8 };
  const rows = cells.map((cell, i) => {
    const list = results[i]!;
    const baseline = results[cells.findIndex((c) => c.concurrency === cell.concurrency)]!;
    const ratio = median(list.map((r, round) => r.rate / baseline[round]!.rate));
    const cpuRatio = median(list.map((r, round) => baseline[round]!.cpuUsPerCall / r.cpuUsPerCall));
    const isOurs = cell.pair.server === "grpc-js";
    const goal = goals[cell.concurrency]!;
    return [
      cell.pair.name,
      String(cell.concurrency),
      fmt.int(median(list.map((r) => r.rate))),
      fmt.ms(median(list.map((r) => r.p50))),
      fmt.ms(median(list.map((r) => r.p99))),
      fmt.ratio(ratio),
      `${median(list.map((r) => r.cpuUsPerCall)).toFixed(0)} µs`,
      fmt.ratio(cpuRatio),
      isOurs ? `≥ ${goal.toFixed(1)}x ${ratio >= goal ? "met" : "NOT met"}` : "",
      String(list.reduce((sum, r) => sum + r.errors, 0)),
    ];
  });
  const markdown = [
    "# rpc: unary Echo calls through lib/rpc against the plain libraries",
    "",
    machineNote(),
    `${ROUNDS} alternating rounds of ${SECONDS} s per pair and concurrency, after a warm-up; each server in its own child process, the clients in this one. lib/rpc calls carry a request context (request id, traceparent, user id) and a deadline, and Echo is idempotent, so they go through the retry policy. Figures are medians over the rounds; "÷ plain grpc-js" is the median of each round's ratio at the same concurrency. See bench/README.md.`,
    "",
    markdownTable(
      [
        "client → server",
        "concurrency",
        "calls/s",
        "p50",
        "p99",
        "÷ plain grpc-js",
        "CPU / call",
        "plain ÷ (CPU)",
        "goal",
        "errors",
      ],
      rows,
    ),
    "",
    `"CPU / call" is the CPU time (user + system) of the client process and the server process together during a round, per call; "plain ÷ (CPU)" is the plain grpc-js pair's over this row's. The goal column judges the throughput ratio.`,
  ].join("\n");
  writeResult("rpc", markdown);
  return markdown;
}

if (import.meta.main) {
  console.log(await run());
  process.exit(0);
}
