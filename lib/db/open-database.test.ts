import { describe, expect, it } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { silentLog } from "../../test/support/silent-log.ts";
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
});
