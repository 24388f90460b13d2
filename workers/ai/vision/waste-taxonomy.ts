import { readFileSync } from "node:fs";
import { UNCLASSIFIED } from "./vision-port.ts";

/*
 * The waste taxonomy and situation tags as this worker ships them: taxonomy.json and
 * situation-tags.json beside this file are copies of services/info/knowledge/, because a worker never
 * imports a service. A test fails when the copies drift from the originals.
 */

interface ItemJson {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly excluded?: boolean;
}
interface MiddleJson extends ItemJson {
  readonly items: readonly ItemJson[];
}
interface MajorJson extends ItemJson {
  readonly middles?: readonly MiddleJson[];
  readonly items?: readonly ItemJson[];
}
interface TaxonomyJson {
  readonly majors: readonly MajorJson[];
  readonly searchTerms?: Readonly<Record<string, readonly string[]>>;
}
interface TagsJson {
  readonly groups: readonly { readonly name: string; readonly tags: readonly string[] }[];
}

/** A name or alias that points at a place in the taxonomy. */
export interface TaxonomyTerm {
  readonly term: string;
  readonly major: string;
  /** null when the term names a major that has middles (재활용폐기물) without saying which. */
  readonly middle: string | null;
  readonly minor: string;
}

export interface WasteTaxonomy {
  /** Major name → its middles (each with its item names); a flat major maps itself to its items. */
  readonly majors: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
  /** Majors whose middle level is real (재활용폐기물); the others repeat the major as middle. */
  readonly layered: ReadonlySet<string>;
  readonly tags: ReadonlySet<string>;
  /** Every name, alias and search word, for matching what users type. Refused items are left out. */
  readonly terms: readonly TaxonomyTerm[];
}

let cached: WasteTaxonomy | undefined;

/** loadWasteTaxonomy reads the shipped copies once per process. */
export function loadWasteTaxonomy(): WasteTaxonomy {
  cached ??= buildTaxonomy(
    readJson<TaxonomyJson>("./taxonomy.json"),
    readJson<TagsJson>("./situation-tags.json"),
  );
  return cached;
}

function readJson<T>(relative: string): T {
  return JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as T;
}

/** buildTaxonomy indexes the two JSON documents (exported for tests that feed the originals). */
export function buildTaxonomy(taxonomy: TaxonomyJson, tagList: TagsJson): WasteTaxonomy {
  const majors = new Map<string, Map<string, Set<string>>>();
  const layered = new Set<string>();
  const terms: TaxonomyTerm[] = [];
  for (const major of taxonomy.majors) {
    const middles = new Map<string, Set<string>>();
    majors.set(major.name, middles);
    if (major.middles) {
      layered.add(major.name);
      addTerms(terms, major, { major: major.name, middle: null, minor: "" });
      for (const middle of major.middles) indexMiddle(middles, terms, major.name, middle);
    } else {
      indexMiddle(middles, terms, major.name, { ...major, items: major.items ?? [] });
    }
  }
  for (const [major, words] of Object.entries(taxonomy.searchTerms ?? {})) {
    const items = majors.get(major)?.get(major);
    for (const word of words) {
      items?.add(word);
      terms.push({ term: normalize(word), major, middle: major, minor: word });
    }
  }
  const tags = new Set(tagList.groups.flatMap((group) => group.tags));
  return { majors, layered, tags, terms };
}

function indexMiddle(
  middles: Map<string, Set<string>>,
  terms: TaxonomyTerm[],
  major: string,
  middle: MiddleJson,
): void {
  const usable = middle.items.filter((item) => !item.excluded);
  middles.set(middle.name, new Set(usable.map((item) => item.name)));
  addTerms(terms, middle, { major, middle: middle.name, minor: "" });
  for (const item of usable)
    addTerms(terms, item, { major, middle: middle.name, minor: item.name });
}

function addTerms(terms: TaxonomyTerm[], entry: ItemJson, place: Omit<TaxonomyTerm, "term">): void {
  for (const word of [entry.name, ...(entry.aliases ?? [])]) {
    terms.push({ term: normalize(word), ...place });
  }
}

/** normalize folds case and Unicode forms so 'PET병' and 'pet병' compare equal. */
export function normalize(text: string): string {
  return text.normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * isValidPlace says whether major/middle/minor name a place in the taxonomy: the major exists (or is
 * 미분류, whose middle is 미분류 too), the middle is one of its middles (or the major itself for a flat
 * major), and the minor is "" or one of the middle's items. `freeMinor` accepts any minor, as the
 * contract allows for a provider's answer.
 */
export function isValidPlace(
  taxonomy: WasteTaxonomy,
  place: { major: string; middle: string; minor: string },
  freeMinor = false,
): boolean {
  if (place.major === UNCLASSIFIED) return place.middle === UNCLASSIFIED;
  const items = taxonomy.majors.get(place.major)?.get(place.middle);
  if (!items) return false;
  return freeMinor || place.minor === "" || items.has(place.minor);
}
