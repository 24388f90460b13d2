/**
 * `npm run bench -- locations`: nearby-site queries (L1) against the real handlers, over gRPC and
 * through the gateway (GET /api/v1/locations/centers with a bearer token), at the 760 shipped sites
 * and at 100,000 more synthetic ones, on embedded PGlite and, when DATABASE_URL is set, on
 * PostgreSQL, all in one run. The server (and the gateway in front of it) runs in a child process;
 * this process is the load generator. The raw baseline is an Echo call on the same server and
 * connection, so "÷ echo" is what the query costs over the bare transport. Writes
 * `bench/results/locations.md` and returns the same markdown.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { gunzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import { LocationService } from "../../gen/eco2/location/v1/location_pb.ts";
import { EchoService } from "../../gen/eco2/testing/v1/echo_pb.ts";
import { createRpcClient } from "../../lib/rpc/index.ts";
import { SEED_FILE } from "../../services/location/seed.ts";
import { fmt, machineNote, markdownTable, percentile, writeResult } from "./table.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const SYNTHETIC = Number(process.env.BENCH_SYNTHETIC ?? 100_000);
const CONCURRENCY = [1, 16];

// Query points: near the real sites (within ~5 km), where people open the map.
const located = (
  parse(gunzipSync(readFileSync(SEED_FILE)), { columns: true, bom: true }) as Record<
    string,
    string
  >[]
)
  .filter((row) => row.positnPstnLat && row.positnPstnLot)
  .map((row) => [Number(row.positnPstnLat), Number(row.positnPstnLot)] as const);

function randomPoint(): { latitude: number; longitude: number } {
  const [lat, lon] = located[Math.floor(Math.random() * located.length)]!;
  return {
    latitude: lat + (Math.random() - 0.5) * 0.1,
    longitude: lon + (Math.random() - 0.5) * 0.1,
  };
}

const QUERIES: Record<string, { radius?: number; zoom?: number }> = {
  "radius 5 km (≤ 200)": { radius: 5000 },
  "zoom 1: 80 km (≤ 50)": { zoom: 1 },
};

interface Server {
  port: number;
  httpPort: number;
  token: string;
  sites: number;
  plan: string[];
  stop(): void;
}

async function startServer(target: string, synthetic: number): Promise<Server> {
  const child = spawn(
    process.execPath,
    ["scripts/bench/location-server.ts", target, String(synthetic)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const ready = await new Promise<Omit<Server, "stop">>((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("\n")) resolve(JSON.parse(text.split("\n")[0]!));
    });
    child.once("exit", (code) => reject(new Error(`location server exited ${code}`)));
  });
  return { ...ready, stop: () => child.kill("SIGTERM") };
}

interface Result {
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  meanSites: number;
}

async function measure(call: () => Promise<number>, concurrency: number): Promise<Result> {
  for (let i = 0; i < 100; i++) await call();
  const latencies: number[] = [];
  let errors = 0;
  let sites = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        try {
          // Not `sites += await call()`: that reads `sites` before the await and loses updates.
          const found = await call();
          sites += found;
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
    meanSites: latencies.length > 0 ? sites / latencies.length : 0,
  };
}

async function benchTarget(name: string, target: string, rows: string[][], plans: string[]) {
  for (const synthetic of [0, SYNTHETIC]) {
    const server = await startServer(target, synthetic);
    const address = `127.0.0.1:${server.port}`;
    const location = createRpcClient(LocationService, { transport: "grpc-js", address });
    const echo = createRpcClient(EchoService, { transport: "grpc-js", address });
    try {
      if (synthetic > 0) plans.push(`${name}, ${fmt.int(server.sites)} sites:`, ...server.plan);
      for (const concurrency of CONCURRENCY) {
        const baseline = await measure(async () => {
          await echo.echo({ text: "이코" });
          return 0;
        }, concurrency);
        for (const [label, shape] of Object.entries(QUERIES)) {
          const viaGrpc = async () => {
            const answer = await location.listCenters({ ...randomPoint(), ...shape });
            return answer.entries.length;
          };
          const viaGateway = async () => {
            const { latitude, longitude } = randomPoint();
            const extra = shape.radius ? `radius=${shape.radius}` : `zoom=${shape.zoom}`;
            const response = await fetch(
              `http://127.0.0.1:${server.httpPort}/api/v1/locations/centers?lat=${latitude}&lon=${longitude}&${extra}`,
              { headers: { authorization: `Bearer ${server.token}` } },
            );
            if (!response.ok) throw new Error(`gateway answered ${response.status}`);
            return ((await response.json()) as unknown[]).length;
          };
          for (const [path, call] of [
            ["gRPC", viaGrpc],
            ["gateway", viaGateway],
          ] as const) {
            const result = await measure(call, concurrency);
            rows.push([
              name,
              fmt.int(server.sites),
              label,
              path,
              String(concurrency),
              fmt.int(result.rate),
              fmt.ms(result.p50),
              fmt.ms(result.p99),
              result.meanSites.toFixed(0),
              String(result.errors),
              fmt.ms(baseline.p50),
              fmt.ratio(result.p50 / baseline.p50),
            ]);
          }
        }
      }
    } finally {
      location.close();
      echo.close();
      server.stop();
    }
  }
}

export async function run(): Promise<string> {
  // Other work on a shared machine moves absolute numbers: say how busy it was.
  const loadBefore = loadavg()[0] ?? 0;
  const rows: string[][] = [];
  const plans: string[] = [];
  await benchTarget("pglite", "pglite", rows, plans);
  const url = process.env.DATABASE_URL;
  if (url) await benchTarget("postgres", url, rows, plans);
  const markdown = [
    "# locations: nearby sites (L1 / ListCenters), over gRPC and through the gateway, 760 and 100,000+ sites",
    "",
    machineNote(),
    `Load average (1 min) ${loadBefore.toFixed(1)} at the start and ${(loadavg()[0] ?? 0).toFixed(1)} at the end of the run.`,
    "",
    `Each cell runs ${SECONDS} s after 100 warm-up calls, from random points within ~5 km of real`,
    "sites; the location server (real handlers, GiST KNN query, opening hours) runs in a child",
    "process with a pool of 16. Synthetic sites copy real ones within ~15 km of them, so density",
    'follows the real data. "echo p50" is an Echo call on the same server and connection: the',
    `raw gRPC cost; "÷ echo" is nearby p50 over it. "gateway" rows call GET /api/v1/locations/centers`,
    "with a bearer token on the gateway app (same child process, Bun.serve) in front of that server.",
    `The load generator is this process.${url ? "" : " PostgreSQL rows need DATABASE_URL."}`,
    "",
    markdownTable(
      [
        "database",
        "sites",
        "query",
        "via",
        "concurrency",
        "calls/s",
        "p50",
        "p99",
        "sites/answer",
        "errors",
        "echo p50",
        "÷ echo",
      ],
      rows,
    ),
    "",
    "Plan of a 5 km query at Seoul City Hall with the synthetic sites:",
    "",
    "```",
    ...plans,
    "```",
  ].join("\n");
  writeResult("locations", markdown);
  return markdown;
}

if (import.meta.main) console.log(await run());
