import { normalize, type TaxonomyTerm, type WasteTaxonomy } from "./waste-taxonomy.ts";

/**
 * matchUserInput finds the taxonomy place a user's words name ("투명 페트병이에요", "this is a glass
 * bottle", "건전지"), or null. The longest matching name or alias wins, so "투명 페트병" beats the "병"
 * of 유리병; on equal length the more specific place (an item over a middle over a major) wins.
 * Korean terms match anywhere (particles and endings attach to the noun); Latin terms match whole
 * words only, so "pet" does not fire inside "carpet".
 */
export function matchUserInput(text: string, taxonomy: WasteTaxonomy): TaxonomyTerm | null {
  const haystack = normalize(text);
  if (haystack === "") return null;
  let best: TaxonomyTerm | null = null;
  for (const term of taxonomy.terms) {
    if (!contains(haystack, term.term)) continue;
    if (!best || isBetter(term, best)) best = term;
  }
  return best;
}

function isBetter(candidate: TaxonomyTerm, current: TaxonomyTerm): boolean {
  const byLength = [...candidate.term].length - [...current.term].length;
  if (byLength !== 0) return byLength > 0;
  return specificity(candidate) > specificity(current);
}

function specificity(term: TaxonomyTerm): number {
  if (term.minor !== "") return 2;
  return term.middle === null ? 0 : 1;
}

const LATIN_WORD = /^[a-z0-9][a-z0-9 .+-]*$/;

function contains(haystack: string, needle: string): boolean {
  if (needle === "") return false;
  if (!LATIN_WORD.test(needle)) return haystack.includes(needle);
  let from = haystack.indexOf(needle);
  while (from !== -1) {
    const before = haystack[from - 1];
    const after = haystack[from + needle.length];
    if (!isWordChar(before) && !isWordChar(after)) return true;
    from = haystack.indexOf(needle, from + 1);
  }
  return false;
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[a-z0-9]/.test(char);
}
