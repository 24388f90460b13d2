// Child process for the locations benchmark: the real LocationService handlers (and EchoService,
// the raw gRPC baseline) over grpc-js, on PostgreSQL (argv[2] = a URL) or embedded PGlite
// ("pglite"), with the 760 shipped sites plus argv[3] synthetic ones, and the gateway in front of
// it over HTTP. Prints one JSON line {port, httpPort, token, sites, plan} when ready; drops its
// schema on SIGTERM.
import { create } from "@bufbuild/protobuf";
import pg from "pg";
import { createApp, fetchWithContext } from "../../gateway/app.ts";
import { createServiceClients } from "../../gateway/clients.ts";
import {
  ListCentersRequestSchema,
  LocationService,
} from "../../gen/eco2/location/v1/location_pb.ts";
import { createPool, openDatabase } from "../../lib/db/index.ts";
import { Readiness } from "../../lib/health/readiness.ts";
import { createLogger } from "../../lib/log/create-logger.ts";
import { createRpcServer, defineService } from "../../lib/rpc/index.ts";
import { locationHandlers } from "../../services/location/handlers.ts";
import { prepareLocationStore } from "../../services/location/seed.ts";
import { echoService } from "../../test/support/echo-service.ts";
import { testSession } from "../../test/support/session.ts";

const target = process.argv[2] ?? "pglite";
const synthetic = Number(process.argv[3] ?? 0);
const log = createLogger({ service: "bench-location", level: "warn" });
const schema = `bench_loc_${process.pid}`;
const database = await openDatabase({
  url: target === "pglite" ? undefined : target,
  dataDir: "memory://",
  log,
});
// A long statement timeout: inserting 100,000 synthetic sites (and their GiST entries) takes a while.
const pool = createPool({ url: database.url, schema, max: 16, statementTimeoutMs: 300_000, log });
await prepareLocationStore(pool, { log, schema });

// Synthetic sites copy a real site's fields and sit up to ~15 km from it, so their density follows
// the real one (dense around cities) rather than spreading evenly over the sea and mountains.
if (synthetic > 0) {
  await pool.query(
    `WITH real AS (
       SELECT row_number() OVER (ORDER BY positn_sn) - 1 AS rn, *
         FROM location_normalized_sites WHERE earth_point IS NOT NULL),
     n AS (SELECT count(*) AS c FROM real),
     placed AS (
       SELECT g, r.*, 
              r.positn_pstn_lat + (random() + random() + random() - 1.5) * 0.1 AS lat,
              r.positn_pstn_lot + (random() + random() + random() - 1.5) * 0.12 AS lon
         FROM generate_series(1, $1::int) g, n JOIN real r ON true
        WHERE r.rn = g % n.c)
     INSERT INTO location_normalized_sites
       (positn_sn, source, source_pk, positn_nm, positn_rdnm_addr, positn_lotno_addr,
        positn_pstn_lat, positn_pstn_lot, mon_sals_hr_expln_cn, tues_sals_hr_expln_cn,
        wed_sals_hr_expln_cn, thur_sals_hr_expln_cn, fri_sals_hr_expln_cn, sat_sals_hr_expln_cn,
        sun_sals_hr_expln_cn, clct_item_cn, source_metadata, store_category, pickup_categories,
        earth_point, search_text, row_hash)
     SELECT 1000000000000 + g, source, 'synthetic-' || g, positn_nm, positn_rdnm_addr,
            positn_lotno_addr, lat, lon, mon_sals_hr_expln_cn, tues_sals_hr_expln_cn,
            wed_sals_hr_expln_cn, thur_sals_hr_expln_cn, fri_sals_hr_expln_cn,
            sat_sals_hr_expln_cn, sun_sals_hr_expln_cn, clct_item_cn, source_metadata,
            store_category, pickup_categories, ll_to_earth(lat, lon), search_text, 'synthetic'
       FROM placed`,
    [synthetic],
  );
  await pool.query("ANALYZE location_normalized_sites");
}
const { rows } = await pool.query<{ n: number }>(
  "SELECT count(*)::int AS n FROM location_normalized_sites",
);
// The plan of nearby_sites' query (with its SET clauses) for 5 km at Seoul City Hall, to show the
// GiST index doing both the box and the KNN order.
const client = await pool.connect();
let plan: string[] = [];
try {
  await client.query("BEGIN");
  await client.query("SET LOCAL enable_bitmapscan = off");
  await client.query("SET LOCAL enable_sort = off");
  const explained = await client.query(
    `EXPLAIN ANALYZE SELECT positn_sn FROM location_normalized_sites s
      WHERE earth_box(ll_to_earth(37.5665, 126.978), 5000) @> s.earth_point
        AND earth_distance(ll_to_earth(37.5665, 126.978), s.earth_point) <= 5000
      ORDER BY s.earth_point <-> ll_to_earth(37.5665, 126.978) LIMIT 200`,
  );
  plan = explained.rows.map((r: Record<string, string>) => Object.values(r)[0] ?? "");
  await client.query("COMMIT");
} finally {
  client.release();
}

const handlers = locationHandlers({ pool });
// One call through the handler before serving, so a broken query fails here, not in the load.
await handlers.listCenters?.(
  create(ListCentersRequestSchema, { latitude: 37.5665, longitude: 126.978, radius: 5000 }),
  {} as never,
);
const server = createRpcServer({
  transport: "grpc-js",
  port: 0,
  services: [defineService(LocationService, handlers), echoService()],
  readiness: new Readiness(),
  log,
});
await server.start();

// The gateway in front of it, as the client sees L1: session guard (a test signing key, limits out
// of the way), validation, RPC → JSON.
const session = await testSession({ authPerMinute: 1e9, userPerMinute: 1e9 });
const clients = createServiceClients({
  transport: "grpc-js",
  timeoutMs: 5000,
  address: () => `127.0.0.1:${server.port}`,
});
const app = createApp({
  clients,
  guard: session.guard,
  readiness: new Readiness(),
  log,
  corsOrigins: [],
  hsts: false,
});
const handle = fetchWithContext(app);
const http = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => handle(request) });
const token = await session.sign("bench-user");
process.stdout.write(
  `${JSON.stringify({ port: server.port, httpPort: http.port, token, sites: rows[0]?.n ?? 0, plan })}\n`,
);

process.on("SIGTERM", async () => {
  http.stop(true);
  clients.close();
  server.forceStop();
  await pool.end();
  if (target !== "pglite") {
    const admin = new pg.Client({ connectionString: target });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
  await database.close();
  process.exit(0);
});
