// `npm run import:locations -- <file>`: imports the normalised CSV (plain or .gz), a raw KECO CSV
// or a zero-waste map export into the location schema, all rows or none. It writes to
// DATABASE_URL when set, else to the embedded database under DATA_DIR (default .data), the one
// `npm start` uses (stop it first: an embedded database has one process at a time).
import { join } from "node:path";
import process from "node:process";
import { createPool, migrate, openDatabase } from "../../lib/db/index.ts";
import { createLogger } from "../../lib/log/create-logger.ts";
import { UnreadableFileError } from "./formats.ts";
import { ImportRejectedError } from "./import-sites.ts";
import { importFile, LOCATION_SCHEMA, MIGRATIONS_DIR } from "./seed.ts";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: npm run import:locations -- <file.csv | file.csv.gz>\n");
  process.exit(2);
}
const log = createLogger({ service: "import-locations", level: "warn" });
const database = await openDatabase({
  url: process.env.DATABASE_URL,
  dataDir: join(process.env.DATA_DIR ?? ".data", "pglite"),
  log,
});
const pool = createPool({ url: database.url, schema: LOCATION_SCHEMA, log });
let code = 0;
try {
  await migrate(pool, { schema: LOCATION_SCHEMA, dir: MIGRATIONS_DIR, log });
  const counts = await importFile(pool, file);
  process.stdout.write(`${JSON.stringify({ file, ...counts })}\n`);
} catch (err) {
  code = 1;
  if (err instanceof ImportRejectedError) {
    process.stderr.write(`${file}: rejected, nothing written (${err.errors.length} bad rows)\n`);
    for (const e of err.errors) process.stderr.write(`  line ${e.line}: ${e.message}\n`);
  } else if (err instanceof UnreadableFileError) {
    process.stderr.write(`${file}: ${err.message}\n`);
  } else {
    throw err;
  }
} finally {
  await pool.end();
  await database.close();
}
process.exit(code);
