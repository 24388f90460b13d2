import { describe, expect, it } from "bun:test";
import { matchUserInput } from "./match-user-input.ts";
import { loadWasteTaxonomy } from "./waste-taxonomy.ts";

const taxonomy = loadWasteTaxonomy();
const place = (text: string) => {
  const term = matchUserInput(text, taxonomy);
  return term && [term.major, term.middle, term.minor];
};

describe("matchUserInput", () => {
  it("reads Korean with particles and endings attached", () => {
    expect(place("투명 페트병이에요")).toEqual(["재활용폐기물", "무색페트병", ""]);
    expect(place("건전지")).toEqual(["재활용폐기물", "전지", ""]);
    expect(place("다 쓴 우유팩입니다")).toEqual(["재활용폐기물", "종이팩", "우유팩"]);
  });

  it("reads English, whole words only", () => {
    expect(place("this is a glass bottle")).toEqual(["재활용폐기물", "유리병", ""]);
    expect(place("An old CARPET")).toBeNull();
  });

  it("prefers the longest term, then the most specific place", () => {
    // "병" (유리병) and "페트" are inside "투명 페트병"; the longest wins.
    expect(place("페트병")).toEqual(["재활용폐기물", "무색페트병", ""]);
    expect(place("신문지 묶음")).toEqual(["재활용폐기물", "종이", "신문지"]);
  });

  it("maps flat majors and their search words, leaves a bare 재활용 without a middle", () => {
    expect(place("일반쓰레기")).toEqual(["일반종량제폐기물", "일반종량제폐기물", ""]);
    expect(place("칫솔")).toEqual(["일반종량제폐기물", "일반종량제폐기물", "칫솔"]);
    expect(place("재활용 되나요")).toEqual(["재활용폐기물", null, ""]);
  });

  it("finds nothing in unrelated or empty text", () => {
    expect(place("안녕하세요")).toBeNull();
    expect(place("   ")).toBeNull();
  });
});
