/**
 * `npm run bench -- db`: pooled point queries per second, real PostgreSQL against embedded PGlite
 * (through lib/db's wire server), side by side in one run. Each target gets a fresh schema with a
 * 1,000-row table, a warm-up, then a fixed duration at concurrency 1 and 16 through a pool of
 * `createPool` (max 16). Writes `bench/results/db.md` and returns the same markdown.
 * Real PostgreSQL is DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test when it answers.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { createPool } from "../../lib/db/create-pool.ts";
import { type DatabaseServer, openDatabase } from "../../lib/db/open-database.ts";
import { createLogger } from "../../lib/log/create-logger.ts";

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const WARMUP_MS = 500;
const CONCURRENCY = [1, 16];
const ROWS = 1000;
const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";

interface Measurement {
  target: string;
  concurrency: number;
  queries: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

const log = createLogger({ service: "bench-db", level: "warn" });

async function measure(pool: pg.Pool, concurrency: number, durationMs: number) {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const id = 1 + Math.floor(Math.random() * ROWS);
        const t = performance.now();
        try {
          const { rows } = await pool.query("SELECT id, name, score FROM items WHERE id = $1", [
            id,
          ]);
          if (rows[0]?.id !== id) throw new Error(`wrong row for ${id}`);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    queries: latencies.length,
    perSecond: (latencies.length / elapsed) * 1000,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors,
  };
}

async function benchTarget(target: string, server: DatabaseServer): Promise<Measurement[]> {
  const schema = `bench_db_${process.pid}_${Date.now().toString(36)}`;
  const pool = createPool({ url: server.url, schema, max: 16, log });
  try {
    await pool.query(
      "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, score int NOT NULL)",
    );
    await pool.query(
      "INSERT INTO items SELECT g, 'item ' || g, (g * 7) % 100 FROM generate_series(1, $1::int) g",
      [ROWS],
    );
    await measure(pool, 16, WARMUP_MS);
    const results: Measurement[] = [];
    for (const concurrency of CONCURRENCY) {
      results.push({ target, concurrency, ...(await measure(pool, concurrency, DURATION_MS)) });
    }
    return results;
  } finally {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
    await pool.end();
  }
}

function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 5432) });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function table(results: Measurement[]): string {
  const fmt = (n: number, digits = 0) =>
    n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const real = (c: number) => results.find((r) => r.target === "postgres" && r.concurrency === c);
  const lines = [
    "| target | concurrency | queries/s | p50 ms | p99 ms | errors | vs PostgreSQL |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const base = real(r.concurrency);
    const ratio = base && base.perSecond > 0 ? `${fmt(r.perSecond / base.perSecond, 2)}x` : "n/a";
    lines.push(
      `| ${r.target} | ${r.concurrency} | ${fmt(r.perSecond)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${r.errors} | ${ratio} |`,
    );
  }
  return lines.join("\n");
}

/** run measures both targets, writes bench/results/db.md and returns its markdown. */
export async function run(): Promise<string> {
  const url = process.env.DATABASE_URL ?? DEFAULT_URL;
  const results: Measurement[] = [];
  let note = "";
  if (await answers(url)) {
    results.push(...(await benchTarget("postgres", await openDatabase({ url, dataDir: "", log }))));
  } else {
    note = `\nReal PostgreSQL at ${url} did not answer; only PGlite was measured.\n`;
  }
  // On disk, as the embedded default runs (`.data/pglite`), in a folder removed afterwards.
  const dataDir = await mkdtemp(join(tmpdir(), "eco2-bench-pglite-"));
  const embedded = await openDatabase({ dataDir, log });
  try {
    results.push(...(await benchTarget("pglite", embedded)));
  } finally {
    await embedded.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  const markdown = [
    "# db: pooled point queries, PostgreSQL vs PGlite",
    "",
    `\`SELECT id, name, score FROM items WHERE id = $1\` on a ${ROWS}-row table (primary key),`,
    `random ids, through \`createPool\` (pg, max 16), ${DURATION_MS} ms per row after a ${WARMUP_MS} ms warm-up.`,
    "PostgreSQL 15 on loopback; PGlite on a temporary data folder in this process, reached through",
    "lib/db's wire server over loopback TCP",
    "(one statement batch at a time, so concurrency queues rather than runs in parallel).",
    `Measured ${new Date().toISOString()} on ${cpus().length} CPUs, ${typeof Bun !== "undefined" ? `Bun ${Bun.version}` : `Node ${process.version}`}.`,
    note,
    table(results),
    "",
  ].join("\n");
  await mkdir(join(process.cwd(), "bench", "results"), { recursive: true });
  await writeFile(join(process.cwd(), "bench", "results", "db.md"), markdown);
  return markdown;
}

if (import.meta.main) {
  console.log(await run());
  process.exit(0);
}
