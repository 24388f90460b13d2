/**
 * HTTP load from a process of its own: wrk when installed (`apt-get install wrk`), else oha,
 * else autocannon's CLI in a separate Bun process. The benchmark's own process only starts
 * them and reads their summary, so the load generator never shares an event loop with a server.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

export interface LoadTarget {
  readonly url: string;
  readonly headers?: Record<string, string>;
}

export interface LoadResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers outside 2xx/3xx (wrk, autocannon) plus socket errors and timeouts. */
  readonly non2xx: number;
  readonly errors: number;
}

type Generator = "wrk" | "oha" | "autocannon";

function installed(command: string): boolean {
  return spawnSync(command, ["--version"], { stdio: "ignore" }).error === undefined;
}

/** loadGenerator names the generator this machine has, best first. */
export const loadGenerator: Generator = installed("wrk")
  ? "wrk"
  : installed("oha")
    ? "oha"
    : "autocannon";

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err || out}`)),
    );
  });
}

function headerArgs(flag: string, headers: Record<string, string> = {}): string[] {
  return Object.entries(headers).flatMap(([key, value]) => [flag, `${key}: ${value}`]);
}

/** wrk prints latencies as 1.23ms, 456.00us or 1.02s. */
function wrkMs(text: string): number {
  const match = /([\d.]+)(us|ms|s)\b/.exec(text);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

async function wrk(target: LoadTarget, connections: number, seconds: number): Promise<LoadResult> {
  const out = await run("wrk", [
    "-t1",
    `-c${connections}`,
    `-d${seconds}s`,
    "--latency",
    ...headerArgs("-H", target.headers),
    target.url,
  ]);
  const line = (pattern: RegExp) => pattern.exec(out)?.[1] ?? "";
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(line(/Requests\/sec:\s+([\d.]+)/)),
    p50Ms: wrkMs(line(/\n\s+50%\s+(\S+)/)),
    p99Ms: wrkMs(line(/\n\s+99%\s+(\S+)/)),
    non2xx: Number(line(/Non-2xx or 3xx responses: (\d+)/) || 0),
    errors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

async function oha(target: LoadTarget, connections: number, seconds: number): Promise<LoadResult> {
  const out = await run("oha", [
    "--no-tui",
    "--output-format",
    "json",
    "-c",
    String(connections),
    "-z",
    `${seconds}s`,
    ...headerArgs("-H", target.headers),
    target.url,
  ]);
  const report = JSON.parse(out) as {
    summary: { requestsPerSec: number };
    latencyPercentiles: Record<string, number>;
    statusCodeDistribution: Record<string, number>;
    errorDistribution: Record<string, number>;
  };
  const non2xx = Object.entries(report.statusCodeDistribution)
    .filter(([status]) => Number(status) >= 400)
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    rps: report.summary.requestsPerSec,
    p50Ms: (report.latencyPercentiles.p50 ?? Number.NaN) * 1000,
    p99Ms: (report.latencyPercentiles.p99 ?? Number.NaN) * 1000,
    non2xx,
    errors: Object.values(report.errorDistribution).reduce((sum, n) => sum + n, 0),
  };
}

async function autocannon(
  target: LoadTarget,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const cli = join(import.meta.dirname, "..", "..", "node_modules", "autocannon", "autocannon.js");
  const out = await run(process.execPath, [
    cli,
    "--json",
    "-c",
    String(connections),
    "-d",
    String(seconds),
    ...headerArgs("-H", target.headers),
    target.url,
  ]);
  const report = JSON.parse(out) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    rps: report.requests.average,
    p50Ms: report.latency.p50,
    p99Ms: report.latency.p99,
    non2xx: report.non2xx,
    errors: report.errors + report.timeouts,
  };
}

/** load drives one target for `seconds` with `connections` keep-alive connections. */
export function load(target: LoadTarget, connections: number, seconds: number) {
  if (loadGenerator === "wrk") return wrk(target, connections, seconds);
  if (loadGenerator === "oha") return oha(target, connections, seconds);
  return autocannon(target, connections, seconds);
}
