import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFile } from "node:fs/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { CharacterService } from "../../gen/eco2/character/v1/character_pb.ts";
import { Readiness } from "../../lib/health/index.ts";
import {
  createRpcClient,
  createRpcServer,
  defineService,
  ERROR_CODE_METADATA,
  type RpcClient,
  type RpcServer,
} from "../../lib/rpc/index.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { CATALOG_FILE, CatalogError, createCatalog, loadCatalog } from "./catalog.ts";
import { characterHandlers } from "./handlers.ts";

// CONTRACT §3.3: code, name and match label of each of the 13 characters.
const LISTED = [
  ["char-eco", "이코", "대표 캐릭터"],
  ["char-paepy", "페이피", "종이"],
  ["char-factory", "팩토리", "종이팩"],
  ["char-petty", "페티", "무색페트병"],
  ["char-metally", "메탈리", "금속류"],
  ["char-bini", "비니", "비닐류"],
  ["char-glassy", "글래시", "유리병"],
  ["char-cotton", "코튼", "의류및원단"],
  ["char-plea", "플리", "플라스틱류"],
  ["char-eb7429f0523f", "일렉", "전기전자제품"],
  ["char-battery", "배리", "전지"],
  ["char-lighty", "라이티", "조명제품"],
  ["char-foamy", "폼이", "발포합성수지"],
];

let server: RpcServer;
let characters: RpcClient<typeof CharacterService>;

beforeAll(async () => {
  server = createRpcServer({
    port: 0,
    services: [
      defineService(CharacterService, characterHandlers({ catalog: await loadCatalog() })),
    ],
    readiness: new Readiness(),
    log: silentLog,
  });
  await server.start();
  characters = createRpcClient(CharacterService, { address: `127.0.0.1:${server.port}` });
});

afterAll(() => {
  characters.close();
  server.forceStop();
});

describe("the character catalog", () => {
  it("holds the 13 characters of §3.3 with their codes, names and match labels", async () => {
    const catalog = await loadCatalog();
    expect(catalog.characters.map((c) => [c.code, c.name, c.match_label])).toEqual(LISTED);
    expect(catalog.defaultCharacter.code).toBe("char-eco");
    for (const c of catalog.characters) {
      expect(c.dialog.length).toBeGreaterThan(10);
      expect(c.type.length).toBeGreaterThan(3);
    }
  });

  it("refuses a catalog with a duplicate match label or an unknown default", async () => {
    const data = JSON.parse(await readFile(CATALOG_FILE, "utf8"));
    data.characters[2].match_label = "종이";
    data.default = "char-nobody";
    try {
      createCatalog(data);
      throw new Error("accepted");
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogError);
      expect((err as CatalogError).problems).toEqual([
        "match_label 종이 appears twice",
        "default char-nobody is not in the catalog",
      ]);
    }
  });
});

describe("CharacterService", () => {
  it("lists 13 cards; the default one has no match label", async () => {
    const { characters: cards } = await characters.listCatalog({});
    expect(cards).toHaveLength(13);
    expect(cards[0]).toMatchObject({ code: "char-eco", name: "이코", matchLabel: "" });
    expect(cards.find((c) => c.name === "페티")?.matchLabel).toBe("무색페트병");
  });

  it("matches 페티 for 무색페트병", async () => {
    const answer = await characters.getCharacterByMatch({ middleCategory: "무색페트병" });
    expect(answer.matched).toBe(true);
    expect(answer.character).toMatchObject({ code: "char-petty", name: "페티" });
  });

  it.each(["음식물류폐기물", "대형폐기물", "미분류"])(
    "gives the default character for %s, which has none",
    async (middleCategory) => {
      const answer = await characters.getCharacterByMatch({ middleCategory });
      expect(answer.matched).toBe(false);
      expect(answer.character?.code).toBe("char-eco");
    },
  );

  it("finds a character named in free text when no category is given", async () => {
    const answer = await characters.getCharacterByMatch({ text: "배리는 어떻게 얻어?" });
    expect(answer).toMatchObject({ matched: true, character: { code: "char-battery" } });
  });

  it("refuses a request with neither category nor text", async () => {
    try {
      await characters.getCharacterByMatch({ middleCategory: " " });
      throw new Error("accepted");
    } catch (err) {
      const e = ConnectError.from(err);
      expect(e.code).toBe(Code.InvalidArgument);
      expect(e.metadata.get(ERROR_CODE_METADATA)).toBe("INVALID_MATCH_REQUEST");
    }
  });
});
