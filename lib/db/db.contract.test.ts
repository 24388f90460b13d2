import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { realServers, skipReason, uniqueName } from "../../test/support/servers.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { createPool } from "./create-pool.ts";
import { InvalidSchemaNameError, MigrationChecksumError, MigrationFailedError } from "./errors.ts";
import { migrate } from "./migrate.ts";
import { type DatabaseServer, openDatabase } from "./open-database.ts";
import { dbPoolConnections } from "./pool-metrics.ts";
import { withTransaction } from "./with-transaction.ts";

/**
 * describeDatabaseContract is the one suite for the database port: it runs against the real
 * PostgreSQL and the embedded PGlite (through servePglite) and expects the same behaviour.
 */
function describeDatabaseContract(
  name: string,
  open: () => Promise<DatabaseServer>,
  skip?: string,
): void {
  describe.skipIf(Boolean(skip))(`database contract: ${name} ${skip ?? ""}`, () => {
    let server: DatabaseServer;
    const pools: pg.Pool[] = [];
    const schemas = new Set<string>();
    const dirs: string[] = [];

    const pool = (schema: string, extra: { max?: number; statementTimeoutMs?: number } = {}) => {
      schemas.add(schema);
      const p = createPool({ url: server.url, schema, log: silentLog, ...extra });
      pools.push(p);
      return p;
    };
    const migrationsDir = async (files: Record<string, string>) => {
      const dir = await mkdtemp(join(tmpdir(), "eco2-migrations-"));
      dirs.push(dir);
      for (const [file, sql] of Object.entries(files)) await writeFile(join(dir, file), sql);
      return dir;
    };

    beforeAll(async () => {
      server = await open();
    });
    afterAll(async () => {
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      await Promise.all(pools.map((p) => p.end()));
      await server.close();
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    });

    it("gives each pool its own schema as search_path, creating it when missing", async () => {
      const a = pool(uniqueName("dbc_a"));
      const b = pool(uniqueName("dbc_b"));
      await a.query("CREATE TABLE items (v text)");
      await b.query("CREATE TABLE items (v text)");
      // Interleave the two pools' statements so a shared session would mix them up.
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? a : b).query("INSERT INTO items VALUES ($1)", [i % 2 ? "a" : "b"]),
        ),
      );
      const [ra, rb] = await Promise.all([
        a.query("SELECT v, count(*)::int AS n, current_schema() AS s FROM items GROUP BY v"),
        b.query("SELECT v, count(*)::int AS n, current_schema() AS s FROM items GROUP BY v"),
      ]);
      expect(ra.rows).toEqual([{ v: "a", n: 20, s: [...schemas][0] }]);
      expect(rb.rows).toEqual([{ v: "b", n: 20, s: [...schemas][1] }]);
      // Both pools show up in eco2_db_pool_connections.
      const gauge = await dbPoolConnections.get();
      for (const schema of schemas) {
        const total = gauge.values.find(
          (v) => v.labels.schema === schema && v.labels.state === "total",
        );
        expect(total?.value).toBeGreaterThan(0);
      }
    });

    it("runs named prepared statements from many connections and pools", async () => {
      const a = pool(uniqueName("dbc_na"), { max: 4 });
      const b = pool(uniqueName("dbc_nb"), { max: 4 });
      // The same statement name with different text in each pool.
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 2
            ? a.query({ name: "point", text: "SELECT $1::int AS n", values: [i] })
            : b.query({ name: "point", text: "SELECT $1::int + 1000 AS n", values: [i] }),
        ),
      );
      expect(results.map((r) => r.rows[0].n)).toEqual(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? i : i + 1000)),
      );
    });

    it("sets the statement timeout and application_name on every connection", async () => {
      const schema = uniqueName("dbc_t");
      const p = pool(schema, { statementTimeoutMs: 1234 });
      const { rows } = await p.query(
        "SELECT current_setting('statement_timeout') AS t, current_setting('application_name') AS app",
      );
      expect(rows[0]).toEqual({ t: "1234ms", app: `eco2_${schema}` });
    });

    it("rejects a schema name that is not a plain identifier", () => {
      expect(() => createPool({ url: server.url, schema: "a; drop", log: silentLog })).toThrow(
        InvalidSchemaNameError,
      );
    });

    it("withTransaction commits, or rolls back and rethrows, and always releases", async () => {
      const p = pool(uniqueName("dbc_tx"), { max: 1 });
      await p.query("CREATE TABLE t (id int PRIMARY KEY)");
      const out = await withTransaction(p, async (c) => {
        await c.query("INSERT INTO t VALUES (1)");
        return "done";
      });
      expect(out).toBe("done");
      const boom = new Error("boom");
      await expect(
        withTransaction(p, async (c) => {
          await c.query("INSERT INTO t VALUES (2)");
          throw boom;
        }),
      ).rejects.toBe(boom);
      // A SQL error inside: rolled back as well.
      await expect(
        withTransaction(p, async (c) => {
          await c.query("INSERT INTO t VALUES (3)");
          await c.query("INSERT INTO t VALUES (1)");
        }),
      ).rejects.toMatchObject({ code: "23505" });
      // With max 1, this would hang if a connection had not been released.
      const { rows } = await p.query("SELECT id FROM t ORDER BY id");
      expect(rows).toEqual([{ id: 1 }]);
      expect(p.waitingCount).toBe(0);
    });

    it("migrate applies files in number order once, recording name and sha256", async () => {
      const schema = uniqueName("dbc_m");
      const p = pool(schema);
      const files = {
        "001_create.sql": "CREATE TABLE things (id int PRIMARY KEY, name text);",
        "002_seed.sql":
          "INSERT INTO things VALUES (1, 'one');\nINSERT INTO things VALUES (2, 'two');",
        "010_alter.sql": "ALTER TABLE things ADD COLUMN note text DEFAULT 'x';",
      };
      const dir = await migrationsDir(files);
      const first = await migrate(p, { schema, dir, log: silentLog });
      expect(first.applied).toEqual(["001_create.sql", "002_seed.sql", "010_alter.sql"]);
      const second = await migrate(p, { schema, dir, log: silentLog });
      expect(second.applied).toEqual([]);
      expect(second.alreadyApplied).toHaveLength(3);
      const { rows } = await p.query(
        `SELECT name, checksum FROM ${schema}.schema_migrations ORDER BY name`,
      );
      expect(rows).toEqual(
        Object.entries(files).map(([name, sql]) => ({
          name,
          checksum: createHash("sha256").update(sql).digest("hex"),
        })),
      );
      const things = await p.query("SELECT count(*)::int AS n, min(note) AS note FROM things");
      expect(things.rows[0]).toEqual({ n: 2, note: "x" });
    });

    it("migrate stops on a changed applied file with MigrationChecksumError naming it", async () => {
      const schema = uniqueName("dbc_c");
      const p = pool(schema);
      const dir = await migrationsDir({ "001_a.sql": "CREATE TABLE a (id int);" });
      await migrate(p, { schema, dir, log: silentLog });
      await writeFile(join(dir, "001_a.sql"), "CREATE TABLE a (id bigint);");
      await writeFile(join(dir, "002_b.sql"), "CREATE TABLE b (id int);");
      const err = await migrate(p, { schema, dir, log: silentLog }).catch((e) => e);
      expect(err).toBeInstanceOf(MigrationChecksumError);
      expect(err.name).toBe("MigrationChecksumError");
      expect(err.message).toContain("001_a.sql");
      // Nothing new was applied after the mismatch was found.
      const { rows } = await p.query("SELECT to_regclass('b') AS b");
      expect(rows[0].b).toBeNull();
    });

    it("migrate rolls a failing file back whole and does not record it", async () => {
      const schema = uniqueName("dbc_f");
      const p = pool(schema);
      const dir = await migrationsDir({
        "001_ok.sql": "CREATE TABLE ok (id int);",
        "002_bad.sql": "CREATE TABLE half (id int);\nINSERT INTO nowhere VALUES (1);",
      });
      const err = await migrate(p, { schema, dir, log: silentLog }).catch((e) => e);
      expect(err).toBeInstanceOf(MigrationFailedError);
      expect(err.message).toContain("002_bad.sql");
      const { rows } = await p.query(
        `SELECT to_regclass('ok') IS NOT NULL AS ok, to_regclass('half') IS NOT NULL AS half,
                (SELECT array_agg(name ORDER BY name) FROM ${schema}.schema_migrations) AS names`,
      );
      expect(rows[0]).toEqual({ ok: true, half: false, names: ["001_ok.sql"] });
    });

    it("migrate from several replicas at once applies each file exactly once", async () => {
      const schema = uniqueName("dbc_r");
      const dir = await migrationsDir({
        // Neither file is idempotent: running either twice fails or doubles the row.
        "001_create.sql": "CREATE TABLE counter (n int);",
        "002_insert.sql": "INSERT INTO counter VALUES (1);",
      });
      const replicas = [pool(schema), pool(schema), pool(schema)];
      const results = await Promise.all(
        replicas.map((p) => migrate(p, { schema, dir, log: silentLog })),
      );
      expect(results.flatMap((r) => r.applied).sort()).toEqual([
        "001_create.sql",
        "002_insert.sql",
      ]);
      const { rows } = await replicas[0]!.query("SELECT count(*)::int AS n FROM counter");
      expect(rows[0].n).toBe(1);
    });

    it("has cube and earthdistance for distance queries", async () => {
      const p = pool(uniqueName("dbc_geo"));
      // Once per database, in public, as the location migrations do; left installed for others.
      await p.query("CREATE EXTENSION IF NOT EXISTS cube WITH SCHEMA public");
      await p.query("CREATE EXTENSION IF NOT EXISTS earthdistance WITH SCHEMA public");
      // Seoul City Hall to Busan City Hall is about 325 km.
      const { rows } = await p.query(
        "SELECT earth_distance(ll_to_earth(37.5663, 126.9779), ll_to_earth(35.1798, 129.0750)) AS m",
      );
      expect(rows[0].m).toBeGreaterThan(320_000);
      expect(rows[0].m).toBeLessThan(330_000);
    });

    it("has pg_trgm for text similarity", async () => {
      const p = pool(uniqueName("dbc_trgm"));
      await p.query("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public");
      const { rows } = await p.query("SELECT similarity('재활용센터', '재활용 센터') AS s");
      expect(rows[0].s).toBeGreaterThan(0.3);
    });
  });
}

describeDatabaseContract(
  "postgres (real)",
  () => openDatabase({ url: realServers.databaseUrl, dataDir: "unused", log: silentLog }),
  skipReason(realServers.databaseUrl, "DATABASE_URL"),
);
describeDatabaseContract("pglite (embedded)", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "eco2-pglite-"));
  const server = await openDatabase({ dataDir, log: silentLog });
  return {
    ...server,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
