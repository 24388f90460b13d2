/**
 * The data layer's smoke run, written runtime-neutral so it runs under Deno as well as Bun:
 * embedded PGlite through the wire server with a pool, migration and transaction; the in-process
 * cache; Redis when REDIS_URL is set; and the local object store. Prints `data-layer ok` at the end.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCache } from "../../lib/cache/index.ts";
import { createPool, migrate, openDatabase, withTransaction } from "../../lib/db/index.ts";
import { createLogger } from "../../lib/log/index.ts";
import { createLocalObjectStore } from "../../lib/storage/index.ts";

const log = createLogger({ service: "smoke", level: "warn" });
const dir = await mkdtemp(join(tmpdir(), "eco2-smoke-"));
const check = (ok: boolean, what: string) => {
  if (!ok) throw new Error(`smoke failed: ${what}`);
};
try {
  const database = await openDatabase({ dataDir: join(dir, "pglite"), log });
  const pool = createPool({ url: database.url, schema: "smoke", log });
  await writeFile(join(dir, "001_items.sql"), "CREATE TABLE items (id int PRIMARY KEY);");
  await migrate(pool, { schema: "smoke", dir, log });
  await withTransaction(pool, (c) => c.query("INSERT INTO items VALUES (1), (2)"));
  const { rows } = await pool.query("SELECT count(*)::int AS n FROM items");
  check(rows[0].n === 2, "pglite rows");
  await pool.end();
  await database.close();

  for (const url of [undefined, process.env.REDIS_URL].filter((u, i) => i === 0 || u)) {
    const cache = await openCache({ url, keyPrefix: `smoke:${process.pid}:`, log });
    await cache.set("k", "v", { ttlMs: 5000 });
    check((await cache.get("k")) === "v", `${cache.kind} get`);
    check(
      (await cache.rateLimit("r", { limit: 1, windowMs: 1000 })).allowed,
      `${cache.kind} limit`,
    );
    const got: string[] = [];
    const off = await cache.subscribe("ch", (m) => got.push(m));
    await cache.publish("ch", "hello");
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    check(got[0] === "hello", `${cache.kind} pub/sub`);
    await off();
    await cache.del("k");
    await cache.del("r");
    await cache.close();
  }

  const store = createLocalObjectStore({
    dir: join(dir, "objects"),
    publicBaseUrl: "http://localhost:8000/media/",
    secret: "smoke",
  });
  await store.putObject("a/b.txt", "hi", { contentType: "text/plain" });
  check((await store.headObject("a/b.txt"))?.size === 2, "local store");
  console.log("data-layer ok");
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
