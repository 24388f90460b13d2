import pg from "pg";
import type { Logger } from "../log/create-logger.ts";
import { assertSchemaName } from "./errors.ts";
import { observePool } from "./pool-metrics.ts";

export interface CreatePoolOptions {
  /** The database URL, from `openDatabase(...).url`. */
  url: string;
  /** The service's schema: first on every connection's `search_path`, created when missing. */
  schema: string;
  /** Longest a statement may run before PostgreSQL cancels it (SQLSTATE 57014). Default 5000 ms. */
  statementTimeoutMs?: number;
  /** Most connections held at once. Default 10. */
  max?: number;
  /** `application_name` of every connection, as seen in `pg_stat_activity`. Default `eco2_<schema>`. */
  applicationName?: string;
  /** How long `connect()` waits for a connection before failing. Default 5000 ms. */
  connectionTimeoutMs?: number;
  log: Logger;
}

/**
 * createPool gives a service its `pg.Pool`. Every connection starts with `search_path` =
 * `<schema>, public` (the service's SQL creates and names its tables unqualified and cannot reach
 * another service's by accident; `public` only so extension functions such as `ll_to_earth`
 * resolve, since an extension is installed once per database: install them `WITH SCHEMA public`)
 * and with the statement timeout, both as startup settings: no extra round trip, and they
 * survive `DISCARD`/`RESET ALL`. Its connection counts are exported as
 * `eco2_db_pool_connections{schema,state}`. The schema is created, once per pool, before the
 * first connection is handed out. Idle connections that break (a terminated backend, a restarted
 * server) are logged and dropped by the pool; the next query opens a fresh one.
 */
export function createPool(options: CreatePoolOptions): pg.Pool {
  const { schema, log } = options;
  assertSchemaName(schema);
  let schemaReady: Promise<void> | undefined;

  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? `eco2_${schema}`,
    statement_timeout: options.statementTimeoutMs ?? 5000,
    options: `-c search_path=${schema},public`,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    // pg-pool awaits onConnect before handing a new connection out, and fails the checkout if it
    // throws: the schema exists before any query of the service runs.
    onConnect: async (client) => {
      schemaReady ??= ensureSchema(client, schema).catch((err) => {
        schemaReady = undefined;
        throw err;
      });
      await schemaReady;
    },
  });
  // Without a listener an idle client's error (e.g. pg_terminate_backend) crashes the process.
  pool.on("error", (err) => log.warn({ err, schema }, "idle database connection failed"));
  observePool(pool, schema);
  return pool;
}

async function ensureSchema(client: pg.ClientBase, schema: string): Promise<void> {
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (err) {
    // Two processes creating it at once: one wins, the other sees a duplicate; both are fine.
    const code = (err as { code?: string }).code;
    if (code !== "23505" && code !== "42P06") throw err;
  }
}
