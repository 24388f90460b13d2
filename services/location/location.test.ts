import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { parse } from "csv-parse/sync";
import pg from "pg";
import {
  GetCenterRequestSchema,
  type GetCenterResponse,
  ListCentersRequestSchema,
  type ListCentersResponse,
  type LocationService,
  SearchLocationsRequestSchema,
  type SearchLocationsResponse,
  SuggestPlacesRequestSchema,
  type SuggestPlacesResponse,
} from "../../gen/eco2/location/v1/location_pb.ts";
import { createPool } from "../../lib/db/create-pool.ts";
import { migrate } from "../../lib/db/migrate.ts";
import { type DatabaseServer, openDatabase } from "../../lib/db/open-database.ts";
import { realServers, skipReason, uniqueName } from "../../test/support/servers.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { KECO_COLUMNS } from "./formats.ts";
import { locationHandlers, resultLimit, searchRadius } from "./handlers.ts";
import { ImportRejectedError } from "./import-sites.ts";
import { createKakaoClient, type KakaoUnavailableError } from "./kakao.ts";
import { importFile, MIGRATIONS_DIR, prepareLocationStore, SEED_FILE } from "./seed.ts";

// earthdistance's sphere: earth() = 6378168 m. The brute force below uses the same radius, so the
// service and the test must agree to the metre.
const EARTH_RADIUS_M = 6378168;
const CITY_HALL = { latitude: 37.5665, longitude: 126.978 };
// 2026-03-03 is a Tuesday; 03:00Z is 12:00 in Seoul.
const FIXED_NOW = new Date("2026-03-03T03:00:00Z");

type Csv = Record<string, string>;
const csvRows: Csv[] = parse(gunzipSync(await readFile(SEED_FILE)), {
  columns: true,
  bom: true,
}) as Csv[];

function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

interface Expected {
  id: number;
  metres: number;
}

/** bruteForce: every CSV site with both coordinates, within the radius, filtered, nearest first. */
function bruteForce(
  point: { latitude: number; longitude: number },
  radius: number,
  limit: number,
  keep: (id: number) => boolean,
): Expected[] {
  return csvRows
    .filter((row) => row.positnPstnLat && row.positnPstnLot)
    .map((row) => ({
      id: Number(row.positnSn),
      metres: haversine(
        point.latitude,
        point.longitude,
        Number(row.positnPstnLat),
        Number(row.positnPstnLot),
      ),
    }))
    .filter((site) => site.metres <= radius && keep(site.id))
    .sort((a, b) => a.metres - b.metres || a.id - b.id)
    .slice(0, limit);
}

/** expectSameSites: same distances in order (to the metre) and the same sites, up to exact ties. */
function expectSameSites(actual: { id: bigint; distanceKm: number }[], expected: Expected[]) {
  expect(actual.map((e) => Math.round(e.distanceKm * 1000))).toEqual(
    expected.map((e) => Math.round(e.metres)),
  );
  // Sites at the very last (whole-metre) distance may differ when several tie at the cut.
  const last = expected.at(-1)?.metres ?? 0;
  const inner = (list: { id: number; metres: number }[]) =>
    list
      .filter((e) => Math.round(e.metres) !== Math.round(last))
      .map((e) => e.id)
      .sort((a, b) => a - b);
  expect(inner(actual.map((e) => ({ id: Number(e.id), metres: e.distanceKm * 1000 })))).toEqual(
    inner(expected),
  );
  for (let i = 1; i < actual.length; i++) {
    expect(actual[i]!.distanceKm).toBeGreaterThanOrEqual(actual[i - 1]!.distanceKm);
  }
}

/** A small deterministic PRNG (mulberry32), so a failing random case can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface KakaoStandIn {
  readonly baseUrl: string;
  readonly requests: URL[];
  close(): Promise<void>;
}

/**
 * A local stand-in for Kakao Local's keyword search: "서울시청" is City Hall, and around it one
 * place sits on our site `onSite` (so must be dropped), one 300 m north (kept); "고장" answers 500;
 * any other query near a point is a place on that point (the detail match). Needs `KakaoAK test-key`.
 */
async function kakaoStandIn(onSite: {
  latitude: number;
  longitude: number;
}): Promise<KakaoStandIn> {
  const requests: URL[] = [];
  const doc = (id: string, name: string, latitude: number, longitude: number) => ({
    id,
    place_name: name,
    address_name: "서울 중구",
    road_address_name: "서울 중구 세종대로 110",
    x: String(longitude),
    y: String(latitude),
    phone: "",
    place_url: `http://place.map.kakao.com/${id}`,
  });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    requests.push(url);
    const query = url.searchParams.get("query");
    const x = url.searchParams.get("x");
    const y = url.searchParams.get("y");
    let documents: unknown[] = [];
    if (req.headers.authorization !== "KakaoAK test-key" || query === "고장") {
      res.writeHead(req.headers.authorization !== "KakaoAK test-key" ? 401 : 500).end();
      return;
    }
    if (query === "서울시청" && !x) {
      documents = [doc("100", "서울특별시청", CITY_HALL.latitude, CITY_HALL.longitude)];
    } else if (query === "서울시청") {
      documents = [
        doc("101", "우리 사이트와 같은 곳", onSite.latitude + 0.0001, onSite.longitude),
        doc("102", "시청 앞 가게", CITY_HALL.latitude + 0.0027, CITY_HALL.longitude),
      ];
    } else if (x && y) {
      documents = [doc("555", query ?? "", Number(y), Number(x))];
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ documents, meta: { total_count: documents.length } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function describeLocationStore(name: string, open: () => Promise<DatabaseServer>, skip?: string) {
  // Imports run hundreds of statements; on a loaded machine PGlite needs more than bun's 5 s.
  describe.skipIf(Boolean(skip))(`location store: ${name} ${skip ?? ""}`, () => {
    let server: DatabaseServer;
    let dir: string;
    const schemas: string[] = [];
    const pools: pg.Pool[] = [];
    let pool: pg.Pool;
    let handlers: Partial<ServiceImpl<typeof LocationService>>;
    // store_category and pickup_categories of every site, read back once for the brute force.
    const categories = new Map<number, { store: string; pickup: string[] }>();

    const freshPool = async () => {
      const schema = uniqueName("loc");
      schemas.push(schema);
      const p = createPool({ url: server.url, schema, log: silentLog });
      pools.push(p);
      return { p, schema };
    };

    beforeAll(async () => {
      server = await open();
      dir = await mkdtemp(join(tmpdir(), "eco2-locations-"));
      const fresh = await freshPool();
      pool = fresh.p;
      await prepareLocationStore(pool, { log: silentLog, schema: fresh.schema });
      handlers = locationHandlers({ pool, now: () => FIXED_NOW });
      const { rows } = await pool.query<{ id: string; store: string; pickup: string[] }>(
        "SELECT positn_sn::text AS id, store_category AS store, pickup_categories AS pickup FROM location_normalized_sites",
      );
      for (const row of rows) categories.set(Number(row.id), row);
    }, 120_000);
    afterAll(async () => {
      await Promise.all(pools.map((p) => p.end()));
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }, 60_000);

    // The handlers are called directly; they never read the context.
    const ctx = {} as HandlerContext;
    const listCenters = (
      init: MessageInitShape<typeof ListCentersRequestSchema>,
      h: Partial<ServiceImpl<typeof LocationService>> = handlers,
    ) =>
      h.listCenters!(create(ListCentersRequestSchema, init), ctx) as Promise<ListCentersResponse>;
    const getCenter = (id: bigint) =>
      handlers.getCenter!(
        create(GetCenterRequestSchema, { id }),
        ctx,
      ) as Promise<GetCenterResponse>;
    const searchLocations = (query: string, radius: number) =>
      handlers.searchLocations!(
        create(SearchLocationsRequestSchema, { query, radius }),
        ctx,
      ) as Promise<SearchLocationsResponse>;
    const suggestPlaces = (query: string) =>
      handlers.suggestPlaces!(
        create(SuggestPlacesRequestSchema, { query }),
        ctx,
      ) as Promise<SuggestPlacesResponse>;

    it("seeds an empty table with the 760 shipped sites, and re-importing changes nothing", async () => {
      const { rows } = await pool.query(
        "SELECT source, count(*)::int AS n FROM location_normalized_sites GROUP BY source ORDER BY source",
      );
      expect(rows).toEqual([
        { source: "keco", n: 409 },
        { source: "zerowaste", n: 351 },
      ]);
      const again = await importFile(pool, SEED_FILE);
      expect(again).toMatchObject({ rows: 760, inserted: 0, updated: 0, unchanged: 760 });
      expect(again.totals).toEqual({ keco: 409, zerowaste: 351 });
    }, 60_000);

    it("imports the normalised file twice into an empty schema: 760 rows both times", async () => {
      const { p, schema } = await freshPool();
      await migrate(p, { schema, dir: MIGRATIONS_DIR, log: silentLog });
      // The shipped seed is the shared dataset, byte for byte (when ../shared is beside the clone).
      const shared = await readFile("../shared/data/locations.csv.gz").catch(() => undefined);
      if (shared) expect(Buffer.compare(shared, await readFile(SEED_FILE))).toBe(0);
      const first = await importFile(p, SEED_FILE);
      expect(first).toMatchObject({
        rows: 760,
        inserted: 760,
        totals: { keco: 409, zerowaste: 351 },
      });
      const second = await importFile(p, SEED_FILE);
      expect(second).toMatchObject({ inserted: 0, updated: 0, unchanged: 760 });
      expect(second.totals).toEqual({ keco: 409, zerowaste: 351 });
    }, 60_000);

    it("imports the raw KECO CSV and the zero-waste export without duplicating seeded sites", async () => {
      const keco = csvRows.filter((r) => r.source === "keco");
      const kecoFile = join(dir, "keco.csv");
      const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
      await writeFile(
        kecoFile,
        [
          KECO_COLUMNS.join(","),
          ...keco.map((r) => KECO_COLUMNS.map((c) => quote(r[c] ?? "")).join(",")),
        ].join("\r\n"),
      );
      const zwColumns =
        "folderId,seq,favoriteType,color,memo,display1,display2,x,y,lon,lat,key,createdAt,updatedAt".split(
          ",",
        );
      const zw = csvRows.filter((r) => r.source === "zerowaste");
      const zwFile = join(dir, "zerowaste.csv");
      await writeFile(
        zwFile,
        [
          zwColumns.join(","),
          ...zw.map((r, i) => {
            const meta = JSON.parse(r.source_metadata ?? "{}") as Record<string, unknown>;
            return zwColumns
              .map((c) => quote(c === "seq" ? String(i + 1) : String(meta[c] ?? "")))
              .join(",");
          }),
        ].join("\n"),
      );
      // Into the seeded table: same sites, so nothing new.
      const kecoCounts = await importFile(pool, kecoFile);
      expect(kecoCounts).toMatchObject({ format: "keco", rows: 409, inserted: 0 });
      const zwCounts = await importFile(pool, zwFile);
      expect(zwCounts).toMatchObject({ format: "zerowaste", rows: 351, inserted: 0 });
      expect(zwCounts.totals).toEqual({ keco: 409, zerowaste: 351 });
      // Twice: idempotent.
      expect(await importFile(pool, zwFile)).toMatchObject({
        inserted: 0,
        updated: 0,
        unchanged: 351,
      });
      // Into an empty schema: all new.
      const { p, schema } = await freshPool();
      await prepareLocationStore(p, { log: silentLog, schema, seedFile: kecoFile });
      const zwFresh = await importFile(p, zwFile);
      expect(zwFresh).toMatchObject({ inserted: 351, totals: { keco: 409, zerowaste: 351 } });
      expect((await importFile(p, kecoFile)).unchanged).toBe(409);
      // Still 760 in the seeded table: the exports matched the seeded sites.
      const { rows } = await pool.query("SELECT count(*)::int AS n FROM location_normalized_sites");
      expect(rows[0].n).toBe(760);
    }, 60_000);

    it("rejects a file with a broken row by its line and writes nothing", async () => {
      const text = gunzipSync(await readFile(SEED_FILE)).toString("utf8");
      const lines = text.split("\n");
      // Line 2 is the first data line (keco site 1, a multi-line row); break a later one-line row.
      const target = lines.findIndex((l, i) => i > 100 && l.startsWith("zerowaste,"));
      lines[target] = lines[target]!.replace(/^zerowaste,\d+,\d+/, "zerowaste,,x");
      const broken = join(dir, "broken.csv");
      await writeFile(broken, lines.join("\n"));
      await pool.query("UPDATE location_normalized_sites SET positn_nm = positn_nm");
      const before = await pool.query(
        "SELECT count(*)::int AS n, max(updated_at) AS t FROM location_normalized_sites",
      );
      const err = await importFile(pool, broken).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImportRejectedError);
      const errors = (err as ImportRejectedError).errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]!.line).toBe(target + 1);
      // A row that fails inside the database (an id owned by another site) also rolls back.
      const clash = join(dir, "clash.csv");
      const header = lines[0]!;
      const zwLine = lines.find((l) => l.startsWith("zerowaste,"))!;
      await writeFile(
        clash,
        [header, zwLine.replace(/^zerowaste,(\d+),/, "zerowaste,NEWKEY,")].join("\n"),
      );
      const clashErr = await importFile(pool, clash).catch((e: unknown) => e);
      expect(clashErr).toBeInstanceOf(ImportRejectedError);
      expect((clashErr as ImportRejectedError).errors[0]!.line).toBe(2);
      const after = await pool.query(
        "SELECT count(*)::int AS n, max(updated_at) AS t FROM location_normalized_sites",
      );
      expect(after.rows).toEqual(before.rows);
    }, 60_000);

    it("L1 around Seoul City Hall at 5 km matches a brute-force haversine over the CSV", async () => {
      const { entries } = await listCenters({
        ...CITY_HALL,
        radius: 5000,
        storeCategories: [],
        pickupCategories: [],
      });
      expect(entries.length).toBeGreaterThan(5);
      expectSameSites(
        entries,
        bruteForce(CITY_HALL, 5000, 200, () => true),
      );
    });

    it("applies category filters before the limit", async () => {
      const req = {
        ...CITY_HALL,
        zoom: 1,
        storeCategories: ["upcycle_recycle", "refill_zero"],
        pickupCategories: ["can"],
      };
      const { entries } = await listCenters(req);
      // zoom 1: 80 km and 50 results; filters first, so 50 matching sites when that many exist.
      const expected = bruteForce(CITY_HALL, searchRadius(undefined, 1), resultLimit(1), (id) => {
        const c = categories.get(id)!;
        return ["upcycle_recycle", "refill_zero"].includes(c.store) && c.pickup.includes("can");
      });
      expect(expected.length).toBe(50);
      expectSameSites(entries, expected);
      for (const e of entries) {
        expect(["upcycle_recycle", "refill_zero"]).toContain(e.storeCategory);
        expect(e.pickupCategories).toContain("can");
      }
    });

    it("matches the brute force at 20 random points, radii, zooms and filters", async () => {
      const next = random(11);
      const stores = [
        "refill_zero",
        "upcycle_recycle",
        "book_workshop",
        "general",
        "public_dropbox",
      ];
      const pickups = ["clear_pet", "can", "paper", "general"];
      let nonEmpty = 0;
      const located = csvRows.filter((row) => row.positnPstnLat && row.positnPstnLot);
      for (let i = 0; i < 20; i++) {
        // Near a real site (within about 5 km), so most cases have something to compare.
        const near = located[Math.floor(next() * located.length)]!;
        const point = {
          latitude: Number(near.positnPstnLat) + (next() - 0.5) * 0.1,
          longitude: Number(near.positnPstnLot) + (next() - 0.5) * 0.1,
        };
        const useZoom = next() < 0.3;
        const zoom = useZoom ? 1 + Math.floor(next() * 20) : undefined;
        const radius = useZoom ? undefined : 100 + Math.floor(next() * 49_900);
        const store = next() < 0.4 ? [stores[Math.floor(next() * stores.length)]!] : [];
        const pickup = next() < 0.3 ? [pickups[Math.floor(next() * pickups.length)]!] : [];
        const { entries } = await listCenters({
          ...point,
          radius,
          zoom,
          storeCategories: store,
          pickupCategories: pickup,
        });
        const expected = bruteForce(point, searchRadius(radius, zoom), resultLimit(zoom), (id) => {
          const c = categories.get(id)!;
          return (
            (store.length === 0 || store.includes(c.store)) &&
            (pickup.length === 0 || c.pickup.some((p) => pickup.includes(p)))
          );
        });
        expectSameSites(entries, expected);
        if (entries.length > 0) nonEmpty += 1;
      }
      // Most random cases must find something, or the comparison proves little.
      expect(nonEmpty).toBeGreaterThanOrEqual(10);
    });

    it("refuses unknown categories and out-of-range points with INVALID_ARGUMENT codes", async () => {
      const base = { ...CITY_HALL, storeCategories: [], pickupCategories: [] };
      const code = (p: Promise<unknown>) =>
        p.then(
          () => "ok",
          (e: { code: number; metadata: Headers }) =>
            `${e.code} ${e.metadata.get("eco2-error-code")}`,
        );
      expect(await code(listCenters({ ...base, storeCategories: ["bogus"] }))).toBe(
        "3 INVALID_STORE_CATEGORY",
      );
      expect(await code(listCenters({ ...base, pickupCategories: ["bogus"] }))).toBe(
        "3 INVALID_PICKUP_CATEGORY",
      );
      expect(await code(listCenters({ ...base, latitude: 91 }))).toBe("3 INVALID_ARGUMENT");
      expect(await code(listCenters({ ...base, radius: 0 }))).toBe("3 INVALID_ARGUMENT");
      expect(await code(listCenters({ ...base, storeCategories: ["all"] }))).toBe("ok");
    });

    it("evaluates opening hours in Asia/Seoul on the fixed clock", async () => {
      // Site 1 (고양동 종합복지회관): 휴무 except Tuesday 11:00 ~ 14:00; the clock is Tuesday 12:00.
      const site = csvRows.find((r) => r.positnSn === "1")!;
      const point = { latitude: Number(site.positnPstnLat), longitude: Number(site.positnPstnLot) };
      const tuesday = await listCenters({
        ...point,
        radius: 100,
        storeCategories: [],
        pickupCategories: [],
      });
      expect(tuesday.entries.find((e) => e.id === 1n)).toMatchObject({
        isOpen: true,
        isHoliday: false,
        startTime: "11:00",
        endTime: "14:00",
      });
      const monday = locationHandlers({ pool, now: () => new Date("2026-03-02T03:00:00Z") });
      const answer = await listCenters({ ...point, radius: 100 }, monday);
      expect(answer.entries.find((e) => e.id === 1n)).toMatchObject({
        isOpen: false,
        isHoliday: true,
      });
    });

    it("L4 gives one site, NOT_FOUND for an unknown or non-positive id", async () => {
      const get = getCenter;
      const { center } = await get(1n);
      expect(center as object).toMatchObject({
        id: 1n,
        name: "고양동 종합복지회관",
        source: "keco",
        lotAddress: "경기도 고양시 덕양구 고양동 233-2",
      });
      expect(center?.collectionItems).toContain("투명페트병");
      for (const id of [0n, -1n, 999_999_999_999n]) {
        const err = await get(id).catch((e: { code: number; metadata: Headers }) => e);
        expect(err).toMatchObject({ code: 5 });
        expect((err as { metadata: Headers }).metadata.get("eco2-error-code")).toBe(
          "LOCATION_NOT_FOUND",
        );
      }
    });

    it("L2 and L3 without Kakao find our own sites by name and address (trigram)", async () => {
      const suggest = await suggestPlaces("고양동");
      expect(suggest.suggestions.length).toBeGreaterThan(0);
      expect(suggest.suggestions.length).toBeLessThanOrEqual(5);
      expect(suggest.suggestions[0]!.placeName).toContain("고양동");
      const search = await searchLocations("고양동 종합복지회관", 5000);
      // The best match anchors the search: itself first, at 0 m, then its neighbours by distance.
      expect(search.entries[0]).toMatchObject({ id: 1n, distanceKm: 0 });
      const site = csvRows.find((r) => r.positnSn === "1")!;
      expectSameSites(
        search.entries,
        bruteForce(
          { latitude: Number(site.positnPstnLat), longitude: Number(site.positnPstnLot) },
          5000,
          50,
          () => true,
        ),
      );
      const none = await searchLocations("zzzzqqq", 0);
      expect(none.entries).toEqual([]);
    });

    it("with a Kakao key, merges Kakao places with our sites (§3.4), and falls back when Kakao fails", async () => {
      const near = bruteForce(CITY_HALL, 5000, 50, () => true);
      const onSite = csvRows.find((r) => Number(r.positnSn) === near[0]!.id)!;
      const standIn = await kakaoStandIn({
        latitude: Number(onSite.positnPstnLat),
        longitude: Number(onSite.positnPstnLot),
      });
      try {
        const failures: KakaoUnavailableError[] = [];
        const kakao = createKakaoClient({
          apiKey: "test-key",
          baseUrl: standIn.baseUrl,
          timeoutMs: 2000,
        });
        const withKakao = locationHandlers({
          pool,
          kakao,
          onKakaoError: (e) => failures.push(e),
          now: () => FIXED_NOW,
        });
        const search = (await withKakao.searchLocations!(
          create(SearchLocationsRequestSchema, { query: "서울시청", radius: 5000 }),
          ctx,
        )) as SearchLocationsResponse;
        const kakaoRows = search.entries.filter((e) => e.source === "kakao");
        // The place on our site is that site; the other is kept: ids −1, −2, … for the rows listed.
        expect(kakaoRows.map((e) => [e.name, e.id, e.kakaoPlaceId, e.storeCategory])).toEqual([
          ["시청 앞 가게", -1n, "102", "general"],
        ]);
        expect(kakaoRows[0]!.pickupCategories).toEqual([]);
        expect(Math.abs(kakaoRows[0]!.distanceKm - 0.301)).toBeLessThanOrEqual(0.002);
        // Our sites around the anchor, as L1 would list them, merged by distance.
        expectSameSites(
          search.entries.filter((e) => e.source !== "kakao"),
          near,
        );
        const distances = search.entries.map((e) => e.distanceKm);
        expect(distances).toEqual([...distances].sort((a, b) => a - b));
        const around = standIn.requests.find((u) => u.searchParams.get("x"));
        expect(around?.searchParams.get("sort")).toBe("distance");
        expect(around?.searchParams.get("radius")).toBe("5000");

        const suggest = (await withKakao.suggestPlaces!(
          create(SuggestPlacesRequestSchema, { query: "서울시청" }),
          ctx,
        )) as SuggestPlacesResponse;
        expect(suggest.suggestions.map((x) => x.placeName)).toEqual(["서울특별시청"]);

        const detail = (await withKakao.getCenter!(
          create(GetCenterRequestSchema, { id: 1n }),
          ctx,
        )) as GetCenterResponse;
        expect(detail.center).toMatchObject({
          kakaoPlaceId: "555",
          placeUrl: "http://place.map.kakao.com/555",
        });

        // Kakao failing: our own sites answer, and the failure is reported.
        const fallback = (await withKakao.suggestPlaces!(
          create(SuggestPlacesRequestSchema, { query: "고장" }),
          ctx,
        )) as SuggestPlacesResponse;
        expect(fallback.suggestions).toEqual([]);
        expect(failures).toHaveLength(1);
        const wrongKey = locationHandlers({
          pool,
          kakao: createKakaoClient({ apiKey: "wrong", baseUrl: standIn.baseUrl, timeoutMs: 2000 }),
        });
        const own = (await wrongKey.suggestPlaces!(
          create(SuggestPlacesRequestSchema, { query: "고양동" }),
          ctx,
        )) as SuggestPlacesResponse;
        expect(own.suggestions[0]!.placeName).toContain("고양동");
      } finally {
        await standIn.close();
      }
    });
  });
}

describeLocationStore(
  "postgres (real)",
  () => openDatabase({ url: realServers.databaseUrl, dataDir: "unused", log: silentLog }),
  skipReason(realServers.databaseUrl, "DATABASE_URL"),
);
describeLocationStore("pglite (embedded)", () =>
  openDatabase({ dataDir: "memory://", log: silentLog }),
);
