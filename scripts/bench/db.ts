/**
 * `npm run bench -- db`: pooled point queries per second, real PostgreSQL against embedded PGlite
 * (through lib/db's wire server), side by side in one run. Each target gets a fresh schema with a
 * 1,000-row table and a `createPool` pool (max 16). After a warm-up, rounds alternate between the
 * targets at concurrency 1 and 16, so both see the same background load on a shared machine; the
 * table gives each cell's median round, and the spread of all rounds. Writes
 * `bench/results/db.md` and returns the same markdown. Real PostgreSQL is DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test when it answers.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { createPool } from "../../lib/db/create-pool.ts";
import { type DatabaseServer, openDatabase } from "../../lib/db/open-database.ts";
import { createLogger } from "../../lib/log/create-logger.ts";

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_MS = 500;
const CONCURRENCY = [1, 16];
const ROWS = 1000;
const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";

interface Round {
  queries: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

interface Target {
  name: "postgres" | "pglite";
  pool: pg.Pool;
  close(): Promise<void>;
}

const log = createLogger({ service: "bench-db", level: "warn" });

async function measure(pool: pg.Pool, concurrency: number, durationMs: number): Promise<Round> {
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

async function prepare(name: Target["name"], server: DatabaseServer): Promise<Target> {
  const schema = `bench_db_${process.pid}_${Date.now().toString(36)}`;
  const pool = createPool({ url: server.url, schema, max: 16, log });
  await pool.query(
    "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, score int NOT NULL)",
  );
  await pool.query(
    "INSERT INTO items SELECT g, 'item ' || g, (g * 7) % 100 FROM generate_series(1, $1::int) g",
    [ROWS],
  );
  await measure(pool, 16, WARMUP_MS);
  return {
    name,
    pool,
    async close() {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
      await pool.end();
      await server.close();
    },
  };
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

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function median(rounds: Round[]): Round {
  const sorted = [...rounds].sort((a, b) => a.perSecond - b.perSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function table(results: Map<string, Round[]>): string {
  const lines = [
    "| target | concurrency | queries/s (median) | rounds min–max | p50 ms | p99 ms | errors | vs PostgreSQL |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const concurrency of CONCURRENCY) {
    const base = results.get(`postgres/${concurrency}`);
    for (const target of ["postgres", "pglite"]) {
      const rounds = results.get(`${target}/${concurrency}`);
      if (!rounds) continue;
      const m = median(rounds);
      const rates = rounds.map((r) => r.perSecond);
      const errors = rounds.reduce((sum, r) => sum + r.errors, 0);
      const ratio = base ? `${fmt(m.perSecond / median(base).perSecond, 2)}x` : "n/a";
      lines.push(
        `| ${target} | ${concurrency} | ${fmt(m.perSecond)} | ${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))} | ${fmt(m.p50Ms, 2)} | ${fmt(m.p99Ms, 2)} | ${errors} | ${ratio} |`,
      );
    }
  }
  return lines.join("\n");
}

/** run measures both targets, writes bench/results/db.md and returns its markdown. */
export async function run(): Promise<string> {
  const url = process.env.DATABASE_URL ?? DEFAULT_URL;
  const targets: Target[] = [];
  let note = "";
  // On disk, as the embedded default runs (`.data/pglite`), in a folder removed afterwards.
  const dataDir = await mkdtemp(join(tmpdir(), "eco2-bench-pglite-"));
  const results = new Map<string, Round[]>();
  try {
    if (await answers(url)) {
      targets.push(await prepare("postgres", await openDatabase({ url, dataDir: "", log })));
    } else {
      note = `\nReal PostgreSQL at ${url} did not answer; only PGlite was measured.\n`;
    }
    targets.push(await prepare("pglite", await openDatabase({ dataDir, log })));
    for (let round = 0; round < ROUNDS; round++) {
      for (const concurrency of CONCURRENCY) {
        for (const target of targets) {
          const key = `${target.name}/${concurrency}`;
          const rounds = results.get(key) ?? [];
          rounds.push(await measure(target.pool, concurrency, ROUND_MS));
          results.set(key, rounds);
        }
      }
    }
  } finally {
    for (const target of targets) await target.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  const runtime =
    typeof Bun !== "undefined"
      ? `Bun ${Bun.version}`
      : `${process.release.name} ${process.version}`;
  const markdown = [
    "# db: pooled point queries, PostgreSQL vs PGlite",
    "",
    `\`SELECT id, name, score FROM items WHERE id = $1\` on a ${ROWS}-row table (primary key), random ids,`,
    `through \`createPool\` (pg, max 16). ${ROUNDS} rounds of ${ROUND_MS} ms per cell, alternating targets,`,
    `after a ${WARMUP_MS} ms warm-up; each cell shows its median round. PostgreSQL 15 on loopback;`,
    "PGlite on a temporary data folder in this process, reached through lib/db's wire server over",
    "loopback TCP. PGlite runs one statement batch at a time: concurrency queues rather than runs",
    "in parallel, so its throughput barely grows with it.",
    `Measured ${new Date().toISOString()} on ${cpus().length} CPUs, ${runtime}, on a machine shared with other work.`,
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
