import { describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { silentLog } from "../../test/support/silent-log.ts";
import { isDataDirInUseError } from "./errors.ts";
import { openDatabase } from "./open-database.ts";

describe("openDatabase", () => {
  it("uses the given URL as is, starting nothing", async () => {
    const url = "postgres://postgres@127.0.0.1:1/none";
    const server = await openDatabase({ url, dataDir: "unused", log: silentLog });
    expect(server).toMatchObject({ kind: "postgres", url });
    await server.close();
  });

  it("keeps PGlite's data in its folder across restarts", async () => {
    const root = await mkdtemp(join(tmpdir(), "eco2-pglite-"));
    // A folder that does not exist yet, as `.data/pglite` on a first start.
    const dataDir = join(root, "nested", "pglite");
    try {
      const first = await openDatabase({ dataDir, log: silentLog });
      expect(first.kind).toBe("pglite");
      expect(first.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      const a = new pg.Client({ connectionString: first.url });
      await a.connect();
      await a.query("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')");
      await a.end();
      await first.close();

      const second = await openDatabase({ dataDir, log: silentLog });
      const b = new pg.Client({ connectionString: second.url });
      await b.connect();
      const { rows } = await b.query("SELECT v FROM kept");
      await b.end();
      await second.close();
      expect(rows).toEqual([{ v: "survives" }]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 30_000);

  it("shares one PGlite per folder within a process and locks it against other processes", async () => {
    const root = await mkdtemp(join(tmpdir(), "eco2-pglite-"));
    const dataDir = join(root, "pglite");
    try {
      // A lock left by a process that is gone is taken over.
      await writeFile(`${dataDir}.lock`, "2147483646");
      const first = await openDatabase({ dataDir, log: silentLog });
      const second = await openDatabase({ dataDir, log: silentLog });
      expect(second.url).toBe(first.url);
      expect(existsSync(`${dataDir}.lock`)).toBe(true);
      await first.close();
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      expect((await client.query("SELECT 1 AS one")).rows[0].one).toBe(1);
      await client.end();
      await second.close();
      expect(existsSync(`${dataDir}.lock`)).toBe(false);

      // A running process (our parent) holding the folder: refused.
      await writeFile(`${dataDir}.lock`, String(process.ppid));
      const err = await openDatabase({ dataDir, log: silentLog }).catch((e) => e);
      expect(isDataDirInUseError(err)).toBe(true);
      expect(err.message).toContain(String(process.ppid));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 30_000);
});
