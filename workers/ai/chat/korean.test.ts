import { describe, expect, it } from "bun:test";
import { particleFor, withParticle } from "./korean.ts";

describe("withParticle", () => {
  it("follows the last syllable's final consonant", () => {
    expect(withParticle("페트병", "은/는")).toBe("페트병은");
    expect(withParticle("종이", "은/는")).toBe("종이는");
    expect(withParticle("플라스틱", "을/를")).toBe("플라스틱을");
    expect(withParticle("유리병", "이/가")).toBe("유리병이");
    expect(withParticle("우유팩", "과/와")).toBe("우유팩과");
    expect(withParticle("소파", "과/와")).toBe("소파와");
  });

  it("takes 로 after a vowel or ㄹ and 으로 after any other consonant", () => {
    expect(withParticle("플라스틱류", "으로/로")).toBe("플라스틱류로");
    expect(withParticle("캔", "으로/로")).toBe("캔으로");
    expect(withParticle("발포합성수지", "으로/로")).toBe("발포합성수지로");
    expect(withParticle("음식물", "으로/로")).toBe("음식물로");
  });

  it("keeps both forms after a word that does not end in Hangul", () => {
    expect(withParticle("PET", "은/는")).toBe("PET은(는)");
  });
});

describe("particleFor", () => {
  it("gives the particle alone, for a word quoted before it", () => {
    expect(`'플라스틱류'${particleFor("플라스틱류", "을/를")}`).toBe("'플라스틱류'를");
    expect(`'캔류'${particleFor("캔류", "을/를")}`).toBe("'캔류'를");
    expect(`'종이팩'${particleFor("종이팩", "을/를")}`).toBe("'종이팩'을");
  });
});
