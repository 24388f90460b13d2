// Korean particles follow the sound of the word before them (페트병은, 종이는; 플라스틱류로,
// 캔으로); a fixed "은(는)" reads like a form letter, so the answer picks the right one.

export type Particle = "은/는" | "이/가" | "을/를" | "과/와" | "으로/로";

const HANGUL_FIRST = 0xac00;
const HANGUL_LAST = 0xd7a3;
/** The final consonant ㄹ, which takes 로 rather than 으로. */
const RIEUL = 8;

/** finalConsonant is the index of the last syllable's final consonant (0 = none), or null. */
function finalConsonant(word: string): number | null {
  const code = word.trim().codePointAt(word.trim().length - 1) ?? 0;
  if (code < HANGUL_FIRST || code > HANGUL_LAST) return null;
  return (code - HANGUL_FIRST) % 28;
}

/** particleFor is the particle the word's last sound calls for; unsure → both forms. */
export function particleFor(word: string, particle: Particle): string {
  const [afterConsonant, afterVowel] = particle.split("/") as [string, string];
  const final = finalConsonant(word);
  if (final === null) return `${afterConsonant}(${afterVowel})`;
  if (particle === "으로/로") return final === 0 || final === RIEUL ? "로" : "으로";
  return final === 0 ? afterVowel : afterConsonant;
}

/** withParticle joins a word and its particle. */
export function withParticle(word: string, particle: Particle): string {
  return word + particleFor(word, particle);
}
