import type { GuideCategory } from "./categories.ts";
import type { Knowledge } from "./load-knowledge.ts";

/** A GuideHit is one document that matches a query, with the term that matched best. */
export interface GuideHit {
  readonly key: string;
  /** The taxonomy name, alias or document item that matched, as written there. */
  readonly matched: string;
  /** 0..1; 1 is an exact match on a category name or alias. */
  readonly score: number;
}

export type GuideSearch = (query: string, limit?: number) => GuideHit[];

interface Term {
  readonly text: string;
  readonly norm: string;
  readonly grams: ReadonlySet<string>;
  readonly key: string;
  /** How much a match on this term counts: category names beat items, items beat exclusions. */
  readonly weight: number;
}

const CATEGORY_WEIGHT = 1;
const ITEM_WEIGHT = 0.95;
const DOCUMENT_ITEM_WEIGHT = 0.9;
const EXCLUSION_WEIGHT = 0.85;
// Below this bigram overlap two words share too little to be a typo of each other.
const FUZZY_THRESHOLD = 0.6;
const DEFAULT_LIMIT = 10;

/** normalizeTerm folds case, Unicode form, spaces and punctuation: "Pet Bottle" = "petbottle". */
export function normalizeTerm(text: string): string {
  return text
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "");
}

/**
 * createGuideSearch indexes every category name and alias, every taxonomy item and its aliases,
 * and the items each document lists, and returns a search over them. Ranking: exact > prefix >
 * substring (either way) > bigram fuzzy match, times the weight of the term's source. Each
 * document appears once, with its best term; an unmatched query gives an empty list.
 */
export function createGuideSearch(knowledge: Knowledge): GuideSearch {
  const terms = indexTerms(knowledge);
  return (query, limit = DEFAULT_LIMIT) => {
    const norm = normalizeTerm(query);
    if (norm.length === 0) return [];
    const grams = bigrams(norm);
    const best = new Map<string, GuideHit>();
    for (const term of terms) {
      const score = matchScore(norm, grams, term) * term.weight;
      const current = best.get(term.key);
      if (score > 0 && (!current || score > current.score)) {
        best.set(term.key, { key: term.key, matched: term.text, score: round(score) });
      }
    }
    return [...best.values()]
      .sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))
      .slice(0, limit);
  };
}

function indexTerms(knowledge: Knowledge): Term[] {
  const terms: Term[] = [];
  const add = (text: string, key: string, weight: number) => {
    for (const part of splitTerm(text)) {
      const norm = normalizeTerm(part);
      if (norm) terms.push({ text: part, norm, grams: bigrams(norm), key, weight });
    }
  };
  for (const category of knowledge.categories) {
    for (const name of [category.name, ...category.aliases])
      add(name, category.key, CATEGORY_WEIGHT);
    indexItems(category, knowledge, add);
  }
  for (const [key, words] of Object.entries(knowledge.taxonomy.searchTerms ?? {})) {
    for (const word of words) add(word, key, ITEM_WEIGHT);
  }
  for (const doc of knowledge.documents.values()) {
    const listed = [...doc.대상_품목, ...Object.values(doc.세부_품목).flat()];
    for (const item of listed) add(item, doc.key, DOCUMENT_ITEM_WEIGHT);
    for (const [item, target] of Object.entries(doc.배출불가_품목_분류)) {
      add(item, target, EXCLUSION_WEIGHT);
    }
  }
  return terms;
}

// A refused item leads to where it goes instead, which its category's document names.
function indexItems(
  category: GuideCategory,
  knowledge: Knowledge,
  add: (text: string, key: string, weight: number) => void,
) {
  const routes = knowledge.documents.get(category.key)?.배출불가_품목_분류 ?? {};
  for (const item of category.items) {
    const key = item.excluded ? routes[item.name] : category.key;
    if (!key) continue;
    for (const name of [item.name, ...(item.aliases ?? [])]) add(name, key, ITEM_WEIGHT);
  }
}

// "우유팩·두유팩" and "CD/DVD" are found by each part as well as by the whole.
function splitTerm(text: string): string[] {
  const parts = text.split(/[·,/]/).map((p) => p.trim());
  return parts.length > 1 ? [text, ...parts.filter(Boolean)] : [text];
}

function matchScore(query: string, grams: ReadonlySet<string>, term: Term): number {
  const t = term.norm;
  if (t === query) return 1;
  if (t.startsWith(query)) return 0.8 + 0.1 * (query.length / t.length);
  if (t.includes(query)) return 0.6 + 0.1 * (query.length / t.length);
  // "우유팩 버리는 법" still finds 우유팩. A one-letter term counts only as the query's last word
  // part, where Korean puts the head of a compound (치킨뼈, 콜라캔); elsewhere it matches too much.
  if ((t.length >= 2 && query.includes(t)) || query.endsWith(t)) {
    return 0.55 + 0.1 * (t.length / query.length);
  }
  const similarity = dice(grams, term.grams);
  return similarity >= FUZZY_THRESHOLD ? 0.5 * similarity : 0;
}

function bigrams(text: string): Set<string> {
  const chars = [...text];
  const grams = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) grams.add(chars[i]! + chars[i + 1]!);
  return grams;
}

function dice(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const gram of a) if (b.has(gram)) shared++;
  return (2 * shared) / (a.size + b.size);
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
