import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { silentLog } from "../../test/support/silent-log.ts";
import { type PgliteServer, servePglite } from "./serve-pglite.ts";

describe("servePglite", () => {
  let db: PGlite;
  let server: PgliteServer;
  const clients: pg.Client[] = [];
  const connect = async (config: pg.ClientConfig = {}) => {
    const client = new pg.Client({
      host: server.host,
      port: server.port,
      user: "postgres",
      database: "postgres",
      ...config,
    });
    client.on("error", () => {});
    await client.connect();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    db = await PGlite.create("memory://");
    server = await servePglite({ db, log: silentLog, idleInTransactionTimeoutMs: 300 });
    await db.exec("CREATE TABLE t (id int PRIMARY KEY, v text)");
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await server.close();
    await db.close();
  });

  it("serves many connections at once, keeping their statements apart", async () => {
    const conns = await Promise.all(Array.from({ length: 8 }, () => connect()));
    // Three different statement shapes, so a Bind landing on another client's Parse would show.
    // Each connection runs its share in order; the connections run at once.
    const results: pg.QueryResult[] = [];
    await Promise.all(
      conns.map(async (c, k) => {
        for (let i = k; i < 600; i += conns.length) {
          if (i % 3 === 0) results[i] = await c.query("SELECT $1::int AS n", [i]);
          else if (i % 3 === 1)
            results[i] = await c.query("SELECT $1::int + 0 AS n, 'x' AS o", [i]);
          else results[i] = await c.query(`SELECT ${i} AS n, $1::text AS s`, [`s${i}`]);
        }
      }),
    );
    expect(results.map((r) => r.rows[0].n)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    expect(server.connections()).toBeGreaterThanOrEqual(8);
  });

  it("gives each connection its own startup settings", async () => {
    await db.exec("CREATE SCHEMA IF NOT EXISTS sa; CREATE SCHEMA IF NOT EXISTS sb");
    const a = await connect({ options: "-c search_path=sa", application_name: "app_a" });
    const b = await connect({ options: "-c search_path=sb", statement_timeout: 777 });
    const read = (c: pg.Client) =>
      c.query(
        `SELECT current_setting('search_path') AS sp, current_setting('application_name') AS app,
                current_setting('statement_timeout') AS st`,
      );
    for (let i = 0; i < 3; i++) {
      const [ra, rb] = await Promise.all([read(a), read(b)]);
      expect(ra.rows[0]).toEqual({ sp: "sa", app: "app_a", st: "0" });
      expect(rb.rows[0]).toEqual({ sp: "sb", app: "", st: "777ms" });
    }
  });

  it("keeps named prepared statements per connection and drops them when it closes", async () => {
    const a = await connect();
    const b = await connect();
    expect((await a.query({ name: "q", text: "SELECT 1 AS n" })).rows[0].n).toBe(1);
    expect((await b.query({ name: "q", text: "SELECT 2 AS n" })).rows[0].n).toBe(2);
    expect((await a.query({ name: "q", text: "SELECT 1 AS n" })).rows[0].n).toBe(1);
    const before = server.connections();
    await a.end();
    for (let i = 0; i < 100 && server.connections() >= before; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const c = await connect();
    expect((await c.query({ name: "q", text: "SELECT 3 AS n" })).rows[0].n).toBe(3);
    const { rows } = await c.query("SELECT count(*)::int AS n FROM pg_prepared_statements");
    // b's and c's remain; a's went with it.
    expect(rows[0].n).toBe(2);
  });

  it("delivers NOTIFY to the connections that LISTEN, not to the notifier", async () => {
    const listener = await connect();
    const other = await connect();
    const notifier = await connect();
    const heard: string[] = [];
    const misdelivered: string[] = [];
    const otherHeard: string[] = [];
    listener.on("notification", (n) => heard.push(`${n.channel}:${n.payload}`));
    other.on("notification", (n) => otherHeard.push(`${n.channel}:${n.payload}`));
    notifier.on("notification", (n) => misdelivered.push(`${n.channel}:${n.payload}`));
    await listener.query("LISTEN eco2_outbox");
    await other.query('LISTEN "Other"');
    await notifier.query("SELECT pg_notify('eco2_outbox', 'scan')");
    await notifier.query("BEGIN");
    await notifier.query("NOTIFY eco2_outbox, 'in-tx'");
    await notifier.query("COMMIT");
    await listener.query("UNLISTEN eco2_outbox");
    await notifier.query("SELECT pg_notify('eco2_outbox', 'after-unlisten')");
    // One client's UNLISTEN does not silence another's LISTEN in the shared session.
    await listener.query("UNLISTEN *");
    await notifier.query("SELECT pg_notify('Other', 'still')");
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toEqual(["eco2_outbox:scan", "eco2_outbox:in-tx"]);
    expect(otherHeard).toEqual(["Other:still"]);
    expect(misdelivered).toEqual([]);
    // The notifier's own queries were not disturbed.
    expect((await notifier.query("SELECT 7 AS n")).rows[0].n).toBe(7);
  });

  it("lets a transaction finish before another connection's statement runs", async () => {
    const a = await connect();
    const b = await connect();
    await a.query("BEGIN");
    await a.query("INSERT INTO t VALUES (1, 'uncommitted')");
    let bDone = false;
    const bRead = b.query("SELECT count(*)::int AS n FROM t").then((r) => {
      bDone = true;
      return r.rows[0].n;
    });
    await new Promise((r) => setTimeout(r, 50));
    // b waits: with one shared session it would otherwise run inside a's transaction.
    expect(bDone).toBe(false);
    await a.query("INSERT INTO t VALUES (2, 'uncommitted')");
    await a.query("ROLLBACK");
    expect(await bRead).toBe(0);
  });

  it("closes a connection left idle inside a transaction, rolling it back", async () => {
    const a = await connect();
    const b = await connect();
    await a.query("BEGIN");
    await a.query("INSERT INTO t VALUES (4, 'abandoned')");
    const started = performance.now();
    const { rows } = await b.query("SELECT count(*)::int AS n FROM t WHERE id = 4");
    const waited = performance.now() - started;
    expect(rows[0].n).toBe(0);
    expect(waited).toBeGreaterThan(200);
    expect(waited).toBeLessThan(2000);
    await expect(a.query("COMMIT")).rejects.toBeDefined();
  });

  it("rolls back the transaction of a connection that disappears inside it", async () => {
    const a = await connect();
    const b = await connect();
    await a.query("BEGIN");
    await a.query("INSERT INTO t VALUES (3, 'lost')");
    const bRead = b.query("SELECT count(*)::int AS n FROM t WHERE id = 3");
    // Cut the socket without Terminate, as a crashed client would.
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect((await bRead).rows[0].n).toBe(0);
    expect(db.isInTransaction()).toBe(false);
  });
});
