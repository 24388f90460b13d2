import { beforeAll, describe, expect, it } from "bun:test";
import { loadKnowledge } from "./load-knowledge.ts";
import { createGuideSearch, type GuideSearch, normalizeTerm } from "./search-guides.ts";

let search: GuideSearch;
beforeAll(async () => {
  search = createGuideSearch(await loadKnowledge());
});

const first = (query: string) => search(query)[0]?.key;

describe("guide search", () => {
  it.each([
    ["페트병", "재활용폐기물_무색페트병"],
    ["pet bottle", "재활용폐기물_무색페트병"],
    ["PET Bottle", "재활용폐기물_무색페트병"],
    ["우유팩", "재활용폐기물_종이팩"],
    ["건전지", "재활용폐기물_전지"],
    ["battery", "재활용폐기물_전지"],
    ["스티로폼", "재활용폐기물_발포합성수지"],
    ["소파", "대형폐기물"],
    ["형광등", "재활용폐기물_조명제품"],
    ["milk carton", "재활용폐기물_종이팩"],
    ["furniture", "대형폐기물"],
    ["음식물쓰레기", "음식물류폐기물"],
  ])("ranks %s → %s first", (query, key) => {
    expect(first(query)).toBe(key);
  });

  it("ranks an exact alias above a longer name that merely contains the query", () => {
    const hits = search("페트병");
    expect(hits[0]?.score).toBe(1);
    const plastics = hits.find((h) => h.key === "재활용폐기물_플라스틱류");
    expect(plastics).toBeDefined();
    expect(plastics!.score).toBeLessThan(hits[0]!.score);
  });

  it("orders exact > prefix > substring > fuzzy", () => {
    const exact = search("건전지")[0]!.score;
    const prefix = search("알루미")[0]!; // 알루미늄(캔)
    const substring = search("패트재질")[0]!;
    const fuzzy = search("스티로품")[0]!; // a typo of 스티로폼
    expect(prefix.key).toBe("재활용폐기물_금속류");
    expect(fuzzy.key).toBe("재활용폐기물_발포합성수지");
    expect(exact).toBeGreaterThan(prefix.score);
    expect(prefix.score).toBeGreaterThan(fuzzy.score);
    expect(substring.score).toBeGreaterThan(fuzzy.score);
  });

  it("sends a refused item where it goes instead: bones and eggshells are general waste", () => {
    expect(first("닭뼈")).toBe("일반종량제폐기물");
    expect(first("달걀껍데기")).toBe("일반종량제폐기물");
    expect(first("깨진 유리")).toBe("불연성종량제폐기물");
  });

  it("finds an item inside a sentence", () => {
    expect(first("우유팩 버리는 법")).toBe("재활용폐기물_종이팩");
  });

  it("reads a one-letter term only as the head at the end of a compound", () => {
    expect(first("콜라캔")).toBe("재활용폐기물_금속류");
    expect(search("캔디")).toEqual([]);
  });

  it("knows everyday words the taxonomy does not name", () => {
    expect(first("치킨뼈")).toBe("일반종량제폐기물");
    expect(first("칫솔")).toBe("일반종량제폐기물");
    expect(first("전자레인지")).toBe("재활용폐기물_전기전자제품");
  });

  it("lists each document once, best first, within the limit", () => {
    const hits = search("병", 3);
    expect(hits.length).toBeLessThanOrEqual(3);
    expect(new Set(hits.map((h) => h.key)).size).toBe(hits.length);
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it.each(["asdfghjkl", "xyzzy", "뷁뷁뷁", "ㅁㄴㅇㄹ", "qwerty", "!!!"])(
    "returns an empty list for nonsense: %s",
    (query) => {
      expect(search(query)).toEqual([]);
    },
  );

  it("normalizes case, spacing, punctuation and Unicode form", () => {
    expect(normalizeTerm(" Pet  Bottle ")).toBe("petbottle");
    expect(normalizeTerm("CD · DVD")).toBe("cddvd");
    expect(normalizeTerm("페트병".normalize("NFD"))).toBe("페트병");
  });
});
