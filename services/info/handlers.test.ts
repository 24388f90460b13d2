import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
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
import { infoHandlers } from "./handlers.ts";
import { loadKnowledge } from "./knowledge/load-knowledge.ts";

let server: RpcServer;
let info: RpcClient<typeof InfoService>;

beforeAll(async () => {
  const knowledge = await loadKnowledge();
  server = createRpcServer({
    port: 0,
    services: [defineService(InfoService, infoHandlers({ knowledge }))],
    readiness: new Readiness(),
    log: silentLog,
  });
  await server.start();
  info = createRpcClient(InfoService, { address: `127.0.0.1:${server.port}`, timeoutMs: 5000 });
});

afterAll(() => {
  info.close();
  server.forceStop();
});

interface ServedDocument {
  대상_설명: string[];
  배출방법_공통: string[];
  배출방법_세부: Record<string, string[]>;
  배출불가_품목_안내: Record<string, string>;
  배출불가_품목_분류: Record<string, string>;
}

async function served(key: string): Promise<ServedDocument> {
  const answer = await info.getGuide({ key });
  expect(answer.summary?.key).toBe(key);
  return answer.document as JsonObject as unknown as ServedDocument;
}

// The index of the first step that mentions `word`, so a test can check the order of steps.
function stepIndex(steps: string[], word: RegExp): number {
  const index = steps.findIndex((step) => word.test(step));
  if (index < 0) throw new Error(`no step mentions ${word}`);
  return index;
}

async function refusal(call: Promise<unknown>): Promise<{ code: Code; domain: string | null }> {
  try {
    await call;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: e.code, domain: e.metadata.get(ERROR_CODE_METADATA) };
  }
  throw new Error("the call succeeded");
}

describe("content spot checks (the served documents)", () => {
  it("무색페트병: empty, remove the label, crush, close the cap, apart from coloured PET", async () => {
    const steps = (await served("재활용폐기물_무색페트병")).배출방법_공통;
    const empty = stepIndex(steps, /비우/);
    const label = stepIndex(steps, /라벨을 떼/);
    const crush = stepIndex(steps, /찌그러/);
    const cap = stepIndex(steps, /뚜껑을 다시 닫/);
    expect([empty, label, crush, cap]).toEqual([...[empty, label, crush, cap]].sort());
    expect(new Set([empty, label, crush, cap]).size).toBe(4);
    expect(steps.some((s) => /유색 페트병/.test(s) && /섞지 말고|따로/.test(s))).toBe(true);
  });

  it("종이팩: rinse, open flat, dry, and keep it apart from other paper", async () => {
    const steps = (await served("재활용폐기물_종이팩")).배출방법_공통;
    const rinse = stepIndex(steps, /헹궈/);
    const flat = stepIndex(steps, /펼칩니다/);
    const dry = stepIndex(steps, /말려/);
    expect(rinse).toBeLessThan(flat);
    expect(flat).toBeLessThan(dry);
    expect(steps.some((s) => /일반 종이/.test(s) && /섞지 말고/.test(s))).toBe(true);
  });

  it("유리병: broken glass, ceramics and heat-resistant glass are refused, with how to wrap and where", async () => {
    const doc = await served("재활용폐기물_유리병");
    for (const item of ["깨진 유리", "도자기·사기그릇", "내열유리"]) {
      const guidance = doc.배출불가_품목_안내[item];
      expect(guidance).toBeDefined();
      expect(guidance).toMatch(/감싸/);
      expect(guidance).toMatch(/종량제봉투|마대/);
      expect(doc.배출불가_품목_분류[item]).toBe("불연성종량제폐기물");
    }
  });

  it("전지: used batteries go to the dedicated box; lithium batteries are a fire risk", async () => {
    const doc = await served("재활용폐기물_전지");
    expect(doc.배출방법_공통.some((s) => /전용 수거함/.test(s))).toBe(true);
    expect(doc.대상_설명.some((s) => /리튬/.test(s) && /불이/.test(s))).toBe(true);
    expect(doc.배출방법_세부.리튬이온전지?.join(" ")).toMatch(/불이 날/);
  });

  it("조명제품: fluorescent lamps go unbroken to the dedicated box", async () => {
    const doc = await served("재활용폐기물_조명제품");
    expect(doc.배출방법_공통.some((s) => /깨지지 않은 상태/.test(s) && /전용 수거함/.test(s))).toBe(
      true,
    );
    expect(doc.배출불가_품목_안내["깨진 형광등"]).toMatch(/수거함에 넣지 않/);
  });

  it("발포합성수지: remove tape and labels; food-soiled foam goes into the general-waste bag", async () => {
    const doc = await served("재활용폐기물_발포합성수지");
    expect(
      doc.배출방법_공통.some((s) => /테이프/.test(s) && /상표/.test(s) && /떼어/.test(s)),
    ).toBe(true);
    expect(doc.배출불가_품목_안내["음식물에 오염된 스티로폼"]).toMatch(/일반 종량제봉투/);
    expect(doc.배출불가_품목_분류["음식물에 오염된 스티로폼"]).toBe("일반종량제폐기물");
  });

  it("음식물류폐기물: bones, shells, eggshells and fruit pits are general waste", async () => {
    const doc = await served("음식물류폐기물");
    for (const item of ["뼈", "조개껍데기", "달걀껍데기", "씨"]) {
      expect(doc.배출불가_품목_안내[item]).toMatch(/일반 종량제봉투/);
      expect(doc.배출불가_품목_분류[item]).toBe("일반종량제폐기물");
    }
  });

  it("대형폐기물: report it (district office or online), pay the fee, attach the sticker", async () => {
    const steps = (await served("대형폐기물")).배출방법_공통;
    const report = stepIndex(steps, /신고/);
    expect(steps[report]).toMatch(/구청|주민센터/);
    expect(steps[report]).toMatch(/누리집|앱|인터넷/);
    const fee = stepIndex(steps, /수수료/);
    const sticker = stepIndex(steps, /스티커/);
    expect(report).toBeLessThan(fee);
    expect(fee).toBeLessThan(sticker);
  });
});

describe("InfoService guides", () => {
  it("lists all 18 guides with a one-line summary, or one major's", async () => {
    const all = await info.listGuides({});
    expect(all.guides).toHaveLength(18);
    for (const g of all.guides) expect(g.summary.length).toBeGreaterThan(10);
    const recyclable = await info.listGuides({ majorCategory: "재활용폐기물" });
    expect(recyclable.guides).toHaveLength(12);
    expect(recyclable.guides.every((g) => g.category === "재활용폐기물")).toBe(true);
  });

  it("finds a scan's document by classification: middle for recyclables, major otherwise", async () => {
    const pet = await info.getGuideByClassification({
      classification: { majorCategory: "재활용폐기물", middleCategory: "무색페트병" },
    });
    expect(pet.summary?.key).toBe("재활용폐기물_무색페트병");
    const food = await info.getGuideByClassification({
      classification: { majorCategory: "음식물류폐기물", middleCategory: "음식물류폐기물" },
    });
    expect(food.summary?.key).toBe("음식물류폐기물");
    expect((food.document as { 이름?: string }).이름).toBe("음식물류폐기물");
  });

  it("searches item names and answers nonsense with an empty list", async () => {
    const pet = await info.searchGuides({ query: "pet bottle" });
    expect(pet.matches[0]?.guide?.key).toBe("재활용폐기물_무색페트병");
    expect(pet.matches[0]?.matchedItem).toBe("pet bottle");
    expect((await info.searchGuides({ query: "소파" })).matches[0]?.guide?.name).toBe("대형폐기물");
    expect((await info.searchGuides({ query: "zzqxv" })).matches).toEqual([]);
    expect((await info.searchGuides({ query: "병", limit: 2 })).matches).toHaveLength(2);
  });

  it("answers bad input with INVALID_ARGUMENT", async () => {
    expect(await refusal(info.searchGuides({ query: "  " }))).toEqual({
      code: Code.InvalidArgument,
      domain: "INVALID_QUERY",
    });
    expect(await refusal(info.searchGuides({ query: "x".repeat(101) }))).toMatchObject({
      code: Code.InvalidArgument,
    });
    expect(await refusal(info.searchGuides({ query: "병", limit: 51 }))).toEqual({
      code: Code.InvalidArgument,
      domain: "INVALID_LIMIT",
    });
    expect(await refusal(info.getGuide({ key: "" }))).toEqual({
      code: Code.InvalidArgument,
      domain: "INVALID_GUIDE_KEY",
    });
    expect(await refusal(info.listGuides({ majorCategory: "우주폐기물" }))).toEqual({
      code: Code.InvalidArgument,
      domain: "INVALID_MAJOR_CATEGORY",
    });
    expect(await refusal(info.getGuideByClassification({}))).toEqual({
      code: Code.InvalidArgument,
      domain: "INVALID_CLASSIFICATION",
    });
  });

  it("answers a key or classification without a document with NOT_FOUND", async () => {
    expect(await refusal(info.getGuide({ key: "재활용폐기물_우주선" }))).toEqual({
      code: Code.NotFound,
      domain: "GUIDE_NOT_FOUND",
    });
    const unsure = info.getGuideByClassification({
      classification: { majorCategory: "미분류", middleCategory: "" },
    });
    expect(await refusal(unsure)).toEqual({ code: Code.NotFound, domain: "GUIDE_NOT_FOUND" });
    const noMiddle = info.getGuideByClassification({
      classification: { majorCategory: "재활용폐기물", middleCategory: "" },
    });
    expect(await refusal(noMiddle)).toEqual({ code: Code.NotFound, domain: "GUIDE_NOT_FOUND" });
  });

  it("finds a key given in decomposed Unicode (NFD)", async () => {
    const answer = await info.getGuide({ key: "대형폐기물".normalize("NFD") });
    expect(answer.summary?.key).toBe("대형폐기물");
  });
});
