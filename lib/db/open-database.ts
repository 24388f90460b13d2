import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { cube } from "@electric-sql/pglite/contrib/cube";
import { earthdistance } from "@electric-sql/pglite/contrib/earthdistance";
import type { Logger } from "../log/create-logger.ts";
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
 * with the `cube` and `earthdistance` extensions available (`CREATE EXTENSION` still belongs in
 * the migrations that use them) and serves it on 127.0.0.1 through `servePglite`, so the same
 * `pg` code runs unchanged. PGlite executes one statement batch at a time: any number of pool
 * connections work, but they take turns (see servePglite).
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseServer> {
  const { log } = options;
  if (options.url) {
    log.info({ database: redact(options.url) }, "using PostgreSQL");
    return { kind: "postgres", url: options.url, close: async () => {} };
  }
  if (!options.dataDir.startsWith("memory://")) await mkdir(options.dataDir, { recursive: true });
  const started = performance.now();
  const db = await PGlite.create(options.dataDir, { extensions: { cube, earthdistance } });
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
    },
  };
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
