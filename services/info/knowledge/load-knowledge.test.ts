import { afterEach, describe, expect, it } from "bun:test";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guideCategories } from "./categories.ts";
import { KNOWLEDGE_DIR, KnowledgeError, loadKnowledge } from "./load-knowledge.ts";

const RECYCLABLE_MIDDLES = [
  "종이",
  "종이팩",
  "무색페트병",
  "플라스틱류",
  "비닐류",
  "발포합성수지",
  "유리병",
  "금속류",
  "의류및원단",
  "전지",
  "조명제품",
  "전기전자제품",
];
const OTHER_MAJORS = [
  "일반종량제폐기물",
  "불연성종량제폐기물",
  "음식물류폐기물",
  "공사장생활폐기물",
  "대형폐기물",
  "생활계유해폐기물",
];

let scratch: string | undefined;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

// A writable copy of the shipped knowledge base, for the mutation tests.
async function copyKnowledge(): Promise<string> {
  scratch = await mkdtemp(join(tmpdir(), "eco2-knowledge-"));
  await cp(KNOWLEDGE_DIR, scratch, { recursive: true });
  return scratch;
}

async function readJson(file: string) {
  return JSON.parse(await readFile(file, "utf8"));
}

async function problemsOf(dir: string): Promise<readonly string[]> {
  try {
    await loadKnowledge(dir);
  } catch (err) {
    if (err instanceof KnowledgeError) return err.problems;
    throw err;
  }
  throw new Error("loadKnowledge accepted a broken knowledge base");
}

describe("the shipped knowledge base", () => {
  it("loads: 18 well-formed documents, one per category, every cross-reference resolved", async () => {
    const knowledge = await loadKnowledge();
    expect(knowledge.documents.size).toBe(18);
    const keys = [...knowledge.documents.keys()].sort();
    const expected = [
      ...RECYCLABLE_MIDDLES.map((m) => `재활용폐기물_${m}`),
      ...OTHER_MAJORS,
    ].sort();
    expect(keys).toEqual(expected);
  });

  it("encodes the taxonomy's 12 recyclable middles and the situation tags' 11 groups", async () => {
    const { taxonomy, situationTags } = await loadKnowledge();
    const recyclable = taxonomy.majors.find((m) => m.name === "재활용폐기물");
    expect(recyclable?.middles?.map((m) => m.name)).toEqual(RECYCLABLE_MIDDLES);
    expect(guideCategories(taxonomy)).toHaveLength(18);
    expect(situationTags.groups).toHaveLength(11);
    const tags = situationTags.groups.flatMap((g) => g.tags);
    expect(tags).toHaveLength(80);
    expect(new Set(tags).size).toBe(79);
    expect(tags).toContain("미분류_소분류");
  });

  it("names a source, a date and a version in every document", async () => {
    for (const doc of (await loadKnowledge()).documents.values()) {
      expect(doc.version).toBeGreaterThanOrEqual(1);
      expect(doc.출처.some((s) => s.includes("환경부"))).toBe(true);
      expect(doc.작성일).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});

describe("the validator (mutation tests)", () => {
  it("fails, naming the category, when a middle category loses its document", async () => {
    const dir = await copyKnowledge();
    await rm(join(dir, "rules", "재활용폐기물_종이팩.json"));
    const problems = await problemsOf(dir);
    expect(problems.some((p) => p.includes("종이팩") && p.includes("no rule document"))).toBe(true);
    // Other documents point at 종이팩, and those dangling references are reported too.
    expect(problems.some((p) => p.includes("unknown document 재활용폐기물_종이팩"))).toBe(true);
  });

  it("fails on a malformed document, naming the file and the field", async () => {
    const dir = await copyKnowledge();
    const file = join(dir, "rules", "재활용폐기물_전지.json");
    const doc = await readJson(file);
    delete doc.배출방법_공통;
    doc.아이콘_절차 = ["춤추기"];
    await writeFile(file, JSON.stringify(doc));
    const problems = await problemsOf(dir);
    expect(
      problems.some((p) => p.startsWith("재활용폐기물_전지.json") && p.includes("배출방법_공통")),
    ).toBe(true);
    expect(problems.some((p) => p.includes("/아이콘_절차/0"))).toBe(true);
  });

  it("fails when an exclusion points at a document that does not exist", async () => {
    const dir = await copyKnowledge();
    const file = join(dir, "rules", "음식물류폐기물.json");
    const doc = await readJson(file);
    doc.배출불가_품목_분류.뼈 = "뼈전용수거함";
    await writeFile(file, JSON.stringify(doc));
    expect(await problemsOf(dir)).toContain(
      "음식물류폐기물: excluded item 뼈 points at unknown document 뼈전용수거함",
    );
  });

  it("fails when a search term leads to a document that does not exist", async () => {
    const dir = await copyKnowledge();
    const file = join(dir, "taxonomy.json");
    const taxonomy = await readJson(file);
    taxonomy.searchTerms.화성폐기물 = ["운석"];
    await writeFile(file, JSON.stringify(taxonomy));
    expect(await problemsOf(dir)).toEqual([
      "taxonomy: searchTerms name unknown document 화성폐기물",
    ]);
  });

  it("fails when a document leaves out an item of its taxonomy category", async () => {
    const dir = await copyKnowledge();
    const file = join(dir, "rules", "재활용폐기물_무색페트병.json");
    const doc = await readJson(file);
    doc.대상_품목 = doc.대상_품목.filter((item: string) => item !== "음료PET병");
    await writeFile(file, JSON.stringify(doc));
    expect(await problemsOf(dir)).toContain(
      "재활용폐기물_무색페트병: taxonomy item 음료PET병 missing from 대상_품목",
    );
  });

  it("fails on a document no category owns and on a key that disagrees with its file", async () => {
    const dir = await copyKnowledge();
    const source = await readJson(join(dir, "rules", "대형폐기물.json"));
    await writeFile(join(dir, "rules", "우주폐기물.json"), JSON.stringify(source));
    await writeFile(
      join(dir, "rules", "달폐기물.json"),
      JSON.stringify({ ...source, key: "달폐기물" }),
    );
    const problems = await problemsOf(dir);
    expect(problems).toContain("우주폐기물.json: key 대형폐기물 does not match the file name");
    expect(problems).toContain("달폐기물: no taxonomy category owns this document");
  });
});
