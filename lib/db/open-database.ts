import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { cube } from "@electric-sql/pglite/contrib/cube";
import { earthdistance } from "@electric-sql/pglite/contrib/earthdistance";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { Logger } from "../log/create-logger.ts";
import { DataDirInUseError } from "./errors.ts";
import { servePglite } from "./serve-pglite.ts";

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL. Unset: the embedded PGlite database is started instead. */
  url?: string;
  /**
   * PGlite's data folder (e.g. `.data/pglite`), created when missing; ignored with `url`.
   * `memory://` keeps the data in memory only (tests).
   */
  dataDir: string;
  /** Port of the embedded server on 127.0.0.1. Default 0: a free port. */
  port?: number;
  log: Logger;
}

/** DatabaseServer is the PostgreSQL every pool of this process connects to. */
export interface DatabaseServer {
  readonly kind: "postgres" | "pglite";
  /** The URL for `createPool`: the given one, or the embedded server's loopback address. */
  readonly url: string;
  /** close stops the embedded server and database; a no-op for a real server. */
  close(): Promise<void>;
}

/**
 * openDatabase gives the process its PostgreSQL. With `url` that is the real server (nothing is
 * started or checked here: pools and readiness do that). Without, it starts PGlite on `dataDir`
 * with the `cube`, `earthdistance` and `pg_trgm` extensions available (`CREATE EXTENSION` still belongs in
 * the migrations that use them) and serves it on 127.0.0.1 through `servePglite`, so the same
 * `pg` code runs unchanged. PGlite executes one statement batch at a time: any number of pool
 * connections work, but they take turns (see servePglite). Every caller in a process that names
 * the same folder shares one PGlite and server (closed with its last user); another process
 * already using the folder (per `<dataDir>.lock`) makes it throw `DataDirInUseError`.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseServer> {
  const { log } = options;
  if (options.url) {
    log.info({ database: redact(options.url) }, "using PostgreSQL");
    return { kind: "postgres", url: options.url, close: async () => {} };
  }
  if (options.dataDir.startsWith("memory://")) return startPglite(options, undefined);
  // One PGlite per folder and process: a second opener shares the first's server.
  const dataDir = resolve(options.dataDir);
  let shared = embedded.get(dataDir);
  if (!shared) {
    shared = { server: startPglite(options, dataDir), refs: 0 };
    embedded.set(dataDir, shared);
    shared.server.catch(() => embedded.delete(dataDir));
  }
  shared.refs++;
  const server = await shared.server;
  let closed = false;
  return {
    ...server,
    async close() {
      if (closed || !shared) return;
      closed = true;
      if (--shared.refs > 0) return;
      embedded.delete(dataDir);
      await server.close();
    },
  };
}

const embedded = new Map<string, { server: Promise<DatabaseServer>; refs: number }>();

async function startPglite(
  options: OpenDatabaseOptions,
  dataDir: string | undefined,
): Promise<DatabaseServer> {
  const { log } = options;
  const lockFile = dataDir ? `${dataDir}.lock` : undefined;
  if (dataDir && lockFile) {
    await mkdir(dataDir, { recursive: true });
    await takeLock(lockFile, dataDir);
  }
  try {
    const started = performance.now();
    const db = await PGlite.create(dataDir ?? options.dataDir, {
      extensions: { cube, earthdistance, pg_trgm },
    });
    const server = await servePglite({ db, port: options.port, log });
    const url = `postgres://postgres@${server.host}:${server.port}/postgres`;
    log.info(
      { database: url, dataDir: options.dataDir, startMs: Math.round(performance.now() - started) },
      "using embedded PGlite",
    );
    return {
      kind: "pglite",
      url,
      async close() {
        await server.close();
        await db.close();
        if (lockFile) await rm(lockFile, { force: true });
      },
    };
  } catch (err) {
    if (lockFile) await rm(lockFile, { force: true });
    throw err;
  }
}

/**
 * takeLock claims `<dataDir>.lock` for this process: two processes on one PGlite folder would
 * corrupt it. A lock left by a process that no longer runs is taken over.
 */
async function takeLock(lockFile: string, dataDir: string): Promise<void> {
  const holder = Number(await readFile(lockFile, "utf8").catch(() => ""));
  if (holder && holder !== process.pid && isRunning(holder)) {
    throw new DataDirInUseError(dataDir, holder);
  }
  await mkdir(dirname(lockFile), { recursive: true });
  await writeFile(lockFile, String(process.pid));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as { code?: string }).code === "EPERM";
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable url)";
  }
}
