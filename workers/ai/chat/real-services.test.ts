// The sub-agents against the real info, character and location services (in-process gRPC servers
// over the shipped knowledge base, character catalog and 760 sites), so the answers are proven
// against real data. Only the chat service's side (events, history) is an in-test port.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type pg from "pg";
import { CharacterService } from "../../../gen/eco2/character/v1/character_pb.ts";
import { InfoService } from "../../../gen/eco2/info/v1/info_pb.ts";
import { LocationService } from "../../../gen/eco2/location/v1/location_pb.ts";
import { createPool } from "../../../lib/db/create-pool.ts";
import { type DatabaseServer, openDatabase } from "../../../lib/db/open-database.ts";
import { Readiness } from "../../../lib/health/index.ts";
import {
  createRpcClient,
  createRpcServer,
  defineService,
  type RpcServer,
} from "../../../lib/rpc/index.ts";
import { loadCatalog } from "../../../services/character/catalog.ts";
import { characterHandlers } from "../../../services/character/handlers.ts";
import { infoHandlers } from "../../../services/info/handlers.ts";
import { loadKnowledge } from "../../../services/info/knowledge/load-knowledge.ts";
import { locationHandlers } from "../../../services/location/handlers.ts";
import { prepareLocationStore } from "../../../services/location/seed.ts";
import { realServers, uniqueName } from "../../../test/support/servers.ts";
import { silentLog } from "../../../test/support/silent-log.ts";
import { charactersPort, guidesPort, placesPort } from "./grpc-ports.ts";
import type { PastMessage, PlacesPort } from "./ports.ts";
import { runChat } from "./run-chat.ts";
import { fakeDeps, job } from "./test/fake-ports.ts";

const CITY_HALL = { latitude: 37.5665, longitude: 126.978 };
let server: RpcServer;
let database: DatabaseServer;
let pool: pg.Pool;
const schema = uniqueName("chat_loc");
let ports: {
  guides: ReturnType<typeof guidesPort>;
  characters: ReturnType<typeof charactersPort>;
  places: PlacesPort;
};
const closers: (() => void)[] = [];

beforeAll(async () => {
  // Real PostgreSQL when DATABASE_URL is set, else the embedded one (PGlite), as the location tests do.
  database = await openDatabase(
    realServers.databaseUrl
      ? { url: realServers.databaseUrl, dataDir: "unused", log: silentLog }
      : { dataDir: "memory://", log: silentLog },
  );
  pool = createPool({ url: database.url, schema, log: silentLog });
  await prepareLocationStore(pool, { log: silentLog, schema });
  server = createRpcServer({
    port: 0,
    services: [
      defineService(InfoService, infoHandlers({ knowledge: await loadKnowledge() })),
      defineService(CharacterService, characterHandlers({ catalog: await loadCatalog() })),
      defineService(LocationService, locationHandlers({ pool })),
    ],
    readiness: new Readiness(),
    log: silentLog,
  });
  await server.start();
  const address = `127.0.0.1:${server.port}`;
  const info = createRpcClient(InfoService, { address });
  const character = createRpcClient(CharacterService, { address });
  const location = createRpcClient(LocationService, { address });
  closers.push(info.close, character.close, location.close);
  ports = {
    guides: guidesPort(info),
    characters: charactersPort(character),
    places: placesPort(location),
  };
}, 120_000);

afterAll(async () => {
  for (const close of closers) close();
  server?.forceStop();
  await pool
    ?.query(`DROP SCHEMA IF EXISTS ${pool.options.application_name ?? "x"} CASCADE`)
    .catch(() => {});
  await pool?.end();
  await database?.close();
});

async function ask(
  message: string,
  extra: Parameters<typeof job>[0] = {},
  history: PastMessage[] = [],
) {
  const { deps, events } = fakeDeps(ports, history);
  expect(await runChat(deps, job({ message, ...extra }))).toBe("completed");
  const done = JSON.parse(events.stage("done")!.resultJson);
  expect(done.answer).toBe(events.text());
  return done as { intent: string; intents: string[]; answer: string };
}

describe("the chat agent over the real info, character and location services", () => {
  it("페트병은 어떻게 버려? → waste, naming the 무색페트병 rule and its steps", async () => {
    const done = await ask("페트병은 어떻게 버려?");
    expect(done.intents).toEqual(["waste"]);
    expect(done.answer).toContain("재활용폐기물 > 무색페트병");
    expect(done.answer).toContain("라벨");
    expect(done.answer).toContain("뚜껑");
  });

  // The shipped KECO sites nearest City Hall are ~6 km away: the agent widens its search to 10 km.
  it("종이 버리는 법이랑 근처 수거함도 알려줘 (with a location) → waste + collection_point, the 종이 rule and the nearest KECO site", async () => {
    const nearest = (await ports.places.near(CITY_HALL, 10_000)).filter(
      (p) => p.source === "keco",
    )[0]!;
    expect(nearest).toBeDefined();
    const done = await ask("종이 버리는 법이랑 근처 수거함도 알려줘", { userLocation: CITY_HALL });
    expect(done.intents).toEqual(["waste", "collection_point"]);
    expect(done.answer).toContain("재활용폐기물 > 종이");
    expect(done.answer).toContain(nearest.name);
    expect(done.answer).toContain(nearest.distanceText!);
  });

  it("소파 버리려면? → bulk_waste: report, fee, sticker, and the district when the location is known", async () => {
    const done = await ask("소파 버리려면?", { userLocation: CITY_HALL });
    expect(done.intents).toEqual(["bulk_waste"]);
    for (const word of ["신고", "수수료", "스티커"]) expect(done.answer).toContain(word);
    expect(done.answer).toContain("지금 계신 곳은 서울 중구");
  });

  it("플라스틱 버리면 어떤 캐릭터 얻어? → character 플리", async () => {
    const done = await ask("플라스틱 버리면 어떤 캐릭터 얻어?");
    expect(done.intents).toEqual(["character"]);
    expect(done.answer).toContain("플리");
    expect(done.answer).toContain("플라스틱류");
  });

  it("a named character and the catalog come from the character service", async () => {
    expect((await ask("페티는 뭘 버려야 나와?")).answer).toContain("무색페트병");
    const catalog = await ask("캐릭터 도감 전부 보여줘");
    expect(catalog.answer).toContain("13종");
    expect(catalog.answer).toContain("폼이");
  });

  it("근처 제로웨이스트 샵 → location names zero-waste shops, not KECO sites", async () => {
    const shops = (await ports.places.near(CITY_HALL, 3000)).filter((p) => p.source !== "keco");
    const done = await ask("근처에 제로웨이스트 샵 있어?", { userLocation: CITY_HALL });
    expect(done.intents).toEqual(["location"]);
    expect(done.answer).toContain(shops[0]!.name);
  });

  it("그럼 유리병은? after a waste turn keeps the waste intent and finds the 유리병 rule", async () => {
    const history: PastMessage[] = [
      { role: "user", content: "페트병은 어떻게 버려?" },
      { role: "assistant", content: "라벨을 떼고 …", intent: "waste" },
    ];
    const done = await ask("그럼 유리병은?", {}, history);
    expect(done.intent).toBe("waste");
    expect(done.answer).toContain("재활용폐기물 > 유리병");
  });
});
