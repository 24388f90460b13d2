import { describe, expect, it } from "bun:test";
import { decideClassification } from "./decide-classification.ts";
import type { Detection } from "./vision-port.ts";
import { loadWasteTaxonomy } from "./waste-taxonomy.ts";

const taxonomy = loadWasteTaxonomy();
const found = (label: string, score: number): Detection => ({ label, score, box: [0, 0, 10, 10] });
const decide = (detections: Detection[], userInput?: string) =>
  decideClassification(detections, userInput, taxonomy, 0.3);

describe("decideClassification", () => {
  it("classifies from the best confident waste detection, ignoring people", () => {
    const result = decide([found("person", 0.9), found("bottle", 0.6), found("cup", 0.2)]);
    expect(result).toMatchObject({
      classification: { major: "재활용폐기물", middle: "무색페트병", minor: "음료PET병" },
      confidence: 0.6,
      source: "detector",
      unclassified: false,
    });
    expect(result.situationTags).toEqual(["플라스틱_재질", "뚜껑_분리_필요"]);
    expect(result.detections).toHaveLength(3);
  });

  it("is 미분류 when no waste detection reaches the threshold", () => {
    expect(decide([found("bottle", 0.29), found("dog", 0.9)]).unclassified).toBe(true);
    expect(decide([]).classification).toEqual({ major: "미분류", middle: "미분류", minor: "" });
  });

  it("marks several competing objects", () => {
    const result = decide([found("laptop", 0.7), found("book", 0.5)]);
    expect(result.classification.middle).toBe("전기전자제품");
    expect(result.situationTags).toContain("다수_품목_혼합");
    expect(result.situationTags).toContain("미분류_소분류");
  });

  it("lets the user's words override the photo, keeping the photo's item when they agree", () => {
    const overridden = decide([found("bottle", 0.6)], "유리병이에요");
    expect(overridden.classification).toEqual({
      major: "재활용폐기물",
      middle: "유리병",
      minor: "",
    });
    expect(overridden.situationTags).toEqual(["미분류_소분류"]);
    const agreed = decide([found("bottle", 0.95)], "페트병");
    expect(agreed).toMatchObject({
      classification: { major: "재활용폐기물", middle: "무색페트병", minor: "음료PET병" },
      confidence: 0.95,
      source: "user_input",
    });
  });

  it("keeps the photo's guess when the words name only 재활용", () => {
    expect(decide([found("book", 0.5)], "재활용 맞나요").classification.middle).toBe("종이");
    expect(decide([], "재활용 맞나요").unclassified).toBe(true);
  });
});
