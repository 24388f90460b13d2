import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { CharacterService } from "../../gen/eco2/character/v1/character_pb.ts";
import { runWithContext } from "../../lib/context/request-context.ts";
import { migrate } from "../../lib/db/migrate.ts";
import { Readiness } from "../../lib/health/index.ts";
import {
  createRpcClient,
  createRpcServer,
  defineService,
  type RpcClient,
  type RpcServer,
} from "../../lib/rpc/index.ts";
import { realServers, skipReason, uniqueName } from "../../test/support/servers.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { loadCatalog } from "./catalog.ts";
import { cardOf } from "./handlers.ts";
import { ownershipHandlers } from "./ownership-handlers.ts";

const skip = skipReason(realServers.databaseUrl, "DATABASE_URL");

describe.skipIf(skip !== undefined)(`character ownership on PostgreSQL ${skip ?? ""}`, () => {
  const schema = uniqueName("character");
  let pool: pg.Pool;
  let server: RpcServer;
  let client: RpcClient<typeof CharacterService>;

  beforeAll(async () => {
    pool = new pg.Pool({
      connectionString: realServers.databaseUrl,
      options: `-c search_path=${schema},public`,
      max: 8,
    });
    await migrate(pool, {
      schema,
      dir: new URL("./migrations", import.meta.url).pathname,
      log: silentLog,
    });
    const catalog = await loadCatalog();
    const handlers = ownershipHandlers(pool, catalog, (c) => cardOf(c, catalog.defaultCharacter));
    server = createRpcServer({
      port: 0,
      services: [defineService(CharacterService, handlers)],
      readiness: new Readiness(),
      log: silentLog,
    });
    await server.start();
    client = createRpcClient(CharacterService, { address: `127.0.0.1:${server.port}` });
  });

  afterAll(async () => {
    client?.close();
    server?.forceStop();
    await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool?.end();
  });

  const pet = { majorCategory: "재활용폐기물", middleCategory: "무색페트병", minorCategory: "" };
  const grant = (userId: string, sourceRef: string, extra: object = {}) =>
    client.grantReward({
      userId,
      source: "scan",
      sourceRef,
      classification: pet,
      disposalRulesPresent: true,
      insufficienciesPresent: false,
      ...extra,
    });

  it("grants 페티 for a clean PET scan: new the first time, not the second", async () => {
    const userId = randomUUID();
    const first = await grant(userId, randomUUID());
    expect(first).toMatchObject({ received: true, isNew: true, alreadyOwned: false });
    expect(first.character?.name).toBe("페티");
    const second = await grant(userId, randomUUID());
    expect(second).toMatchObject({ received: true, isNew: false, alreadyOwned: true });
  });

  it("answers a retried grant of the same job as the first time, even concurrently", async () => {
    const userId = randomUUID();
    const job = randomUUID();
    const answers = await Promise.all(Array.from({ length: 8 }, () => grant(userId, job)));
    expect(answers.every((answer) => answer.isNew)).toBe(true);
    const rows = await pool.query("SELECT count(*)::int AS n FROM ownerships WHERE user_id = $1", [
      userId,
    ]);
    expect(rows.rows[0].n).toBe(1);
  });

  it("rewards nothing unless the item is recyclable, has rules and nothing was done badly", async () => {
    const userId = randomUUID();
    expect((await grant(userId, randomUUID(), { insufficienciesPresent: true })).received).toBe(
      false,
    );
    expect((await grant(userId, randomUUID(), { disposalRulesPresent: false })).received).toBe(
      false,
    );
    const general = {
      majorCategory: "일반종량제폐기물",
      middleCategory: "일반종량제폐기물",
      minorCategory: "",
    };
    expect((await grant(userId, randomUUID(), { classification: general })).received).toBe(false);
  });

  it("lists a collection with the default character first, and ownership follows grants", async () => {
    const userId = randomUUID();
    const asUser = <T>(fn: () => Promise<T>) =>
      runWithContext({ requestId: "r", traceparent: "", traceId: "", userId }, fn);
    const empty = await asUser(() => client.listOwned({}));
    expect(empty.characters.map((c) => c.character?.name)).toEqual(["이코"]);
    expect((await asUser(() => client.getOwnership({ characterName: "페티" }))).owned).toBe(false);
    await grant(userId, randomUUID());
    const after = await asUser(() => client.listOwned({}));
    expect(after.characters.map((c) => c.character?.name)).toEqual(["이코", "페티"]);
    expect((await asUser(() => client.getOwnership({ characterName: "페티" }))).owned).toBe(true);
  });
});
