import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import pg from "pg";
import { realServers, skipReason, uniqueName } from "../../test/support/servers.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { createPool } from "./create-pool.ts";
import { withTransaction } from "./with-transaction.ts";

const skip = skipReason(realServers.databaseUrl, "DATABASE_URL");

/**
 * Fault: PostgreSQL terminates the pool's backends (failover, admin, OOM kill). The pool must hand
 * out working connections afterwards, and a transaction in flight must leave no trace.
 */
describe.skipIf(Boolean(skip))(`database fault: backends terminated ${skip ?? ""}`, () => {
  const url = realServers.databaseUrl!;
  const schema = uniqueName("dbf");
  const applicationName = uniqueName("eco2_fault");
  let pool: pg.Pool;
  let admin: pg.Client;

  const terminate = async () => {
    const { rows } = await admin.query(
      "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1",
      [applicationName],
    );
    return rows.length;
  };
  const waitFor = async (condition: () => boolean) => {
    for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  };

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    pool = createPool({ url, schema, max: 4, applicationName, log: silentLog });
    await pool.query("CREATE TABLE ledger (id int PRIMARY KEY, note text)");
  });
  afterAll(async () => {
    await pool.end();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it("cancels a statement that outruns the statement timeout (57014) and keeps the connection", async () => {
    const timed = createPool({ url, schema, statementTimeoutMs: 100, max: 1, log: silentLog });
    try {
      const started = performance.now();
      await expect(timed.query("SELECT pg_sleep(3)")).rejects.toMatchObject({ code: "57014" });
      expect(performance.now() - started).toBeLessThan(1500);
      expect((await timed.query("SELECT 2 AS two")).rows[0].two).toBe(2);
    } finally {
      await timed.end();
    }
  });

  it("recovers after every idle connection is terminated", async () => {
    // Open all four connections, then let them go idle.
    await Promise.all(Array.from({ length: 4 }, () => pool.query("SELECT pg_sleep(0.05)")));
    expect(pool.totalCount).toBe(4);
    expect(await terminate()).toBe(4);
    await waitFor(() => pool.totalCount === 0);
    expect(pool.totalCount).toBe(0);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pool.query("SELECT $1::int AS n", [i])),
    );
    expect(results.map((r) => r.rows[0].n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("fails a statement whose backend is terminated, then serves the next", async () => {
    // Caught at once: it may reject while terminate() is still awaited.
    const slow = pool.query("SELECT pg_sleep(5)").then(
      () => undefined,
      (err: Error) => err,
    );
    await waitFor(() => pool.idleCount < pool.totalCount);
    await new Promise((r) => setTimeout(r, 50));
    expect(await terminate()).toBeGreaterThanOrEqual(1);
    // 57P01 "terminating connection due to administrator command", or the socket's close if
    // that arrives first: "Connection terminated unexpectedly".
    expect((await slow)?.message).toMatch(/terminat/i);
    // Idle connections killed at the same moment leave the pool as their errors arrive; a query
    // that raced onto one would fail with 57P01 too (UNAVAILABLE: retryable), never hang.
    await waitFor(() => pool.totalCount === 0);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => pool.query("SELECT $1::int AS n", [i])),
    );
    expect(results.map((r) => r.rows[0].n)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it("withTransaction straight after a mass termination skips the dead idle connections", async () => {
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 4 }, () => pool.query("SELECT pg_sleep(0.02)")));
      expect(await terminate()).toBe(4);
      // No waiting: the pool may still hold the four dead connections as idle.
      const ids = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          withTransaction(pool, async (c) => (await c.query("SELECT $1::int AS n", [i])).rows[0].n),
        ),
      );
      expect(ids).toEqual([0, 1, 2, 3]);
    }
  });

  it("rolls back a transaction in flight and does not pool its dead connection", async () => {
    let inserted!: () => void;
    const insertedFirst = new Promise<void>((r) => {
      inserted = r;
    });
    const tx = withTransaction(pool, async (client) => {
      await client.query("INSERT INTO ledger VALUES (1, 'first half')");
      inserted();
      await new Promise((r) => setTimeout(r, 300));
      await client.query("INSERT INTO ledger VALUES (2, 'second half')");
    }).then(
      () => undefined,
      (err: Error) => err,
    );
    await insertedFirst;
    expect(await terminate()).toBeGreaterThanOrEqual(1);
    expect(await tx).toBeInstanceOf(Error);
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.ledger`);
    expect(rows[0].n).toBe(0);
    // Every later transaction gets a live connection and commits.
    for (let i = 0; i < 8; i++) {
      await withTransaction(pool, (c) => c.query("INSERT INTO ledger VALUES ($1, 'ok')", [10 + i]));
    }
    const after = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.ledger`);
    expect(after.rows[0].n).toBe(8);
  });
});
