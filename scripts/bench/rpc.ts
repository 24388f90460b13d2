/**
 * rpc benchmark: unary calls/s and p99 latency for every client × server transport pair at
 * concurrency 1 and 50, all in one run. The server runs in a child process.
 */
import { spawn } from "node:child_process";
import { EchoService } from "../../gen/eco2/testing/v1/echo_pb.ts";
import { createRpcClient, type RpcTransport } from "../../lib/rpc/index.ts";
import { fmt, machineNote, markdownTable, percentile, writeResult } from "./table.ts";

const TRANSPORTS: RpcTransport[] = ["grpc-js", "connect"];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

async function startServer(transport: RpcTransport) {
  const child = spawn(process.execPath, ["scripts/bench/echo-server.ts", transport], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once("exit", (code) => reject(new Error(`echo server exited ${code}`)));
  });
  return { port, stop: () => child.kill("SIGTERM") };
}

async function measure(
  client: ReturnType<typeof createRpcClient<typeof EchoService>>,
  concurrency: number,
) {
  // Warm the connection and the JIT before timing.
  for (let i = 0; i < 200; i++) await client.echo({ text: "warm" });
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        try {
          await client.echo({ text: "이코" });
          latencies.push(performance.now() - started);
        } catch {
          errors++;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    rate: latencies.length / SECONDS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

export async function run(): Promise<string> {
  const rows: string[][] = [];
  const rates = new Map<string, number>();
  for (const serverTransport of TRANSPORTS) {
    const server = await startServer(serverTransport);
    try {
      for (const clientTransport of TRANSPORTS) {
        const client = createRpcClient(EchoService, {
          transport: clientTransport,
          address: `127.0.0.1:${server.port}`,
        });
        for (const concurrency of [1, 50]) {
          const result = await measure(client, concurrency);
          rates.set(`${serverTransport}/${clientTransport}/${concurrency}`, result.rate);
          rows.push([
            serverTransport,
            clientTransport,
            String(concurrency),
            fmt.int(result.rate),
            fmt.ms(result.p50),
            fmt.ms(result.p99),
            String(result.errors),
          ]);
        }
        client.close();
      }
    } finally {
      server.stop();
    }
  }
  const ratio = (c: number) =>
    (rates.get(`grpc-js/grpc-js/${c}`) ?? 0) / (rates.get(`connect/connect/${c}`) ?? 1);
  const markdown = [
    "# rpc: unary Echo calls, client × server transport",
    "",
    machineNote(),
    `Each cell runs ${SECONDS} s after a 200-call warm-up; server in a child process, client in this one.`,
    "",
    markdownTable(["server", "client", "concurrency", "calls/s", "p50", "p99", "errors"], rows),
    "",
    `grpc-js pair ÷ connect pair: ${fmt.ratio(ratio(1))} at concurrency 1, ${fmt.ratio(ratio(50))} at concurrency 50.`,
  ].join("\n");
  writeResult("rpc", markdown);
  return markdown;
}

if (import.meta.main) console.log(await run());
