import { guideCategories } from "./categories.ts";
import type { RuleDocument, Taxonomy } from "./schema.ts";

/**
 * checkKnowledge cross-checks well-formed documents against the taxonomy and each other. It
 * returns one line per problem (empty when all is well): a category without its document, a
 * document no category owns, a document that disagrees with its category or leaves out one of its
 * items, detailed steps for an item the document does not list, and an exclusion that points at
 * no document.
 */
export function checkKnowledge(
  taxonomy: Taxonomy,
  documents: ReadonlyMap<string, RuleDocument>,
): string[] {
  return [
    ...checkTaxonomy(taxonomy),
    ...checkCoverage(taxonomy, documents),
    ...[...documents.values()].flatMap((doc) => checkReferences(doc, documents)),
  ];
}

function checkTaxonomy(taxonomy: Taxonomy): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const major of taxonomy.majors) {
    if (seen.has(major.name)) problems.push(`taxonomy: major ${major.name} appears twice`);
    seen.add(major.name);
    if (Boolean(major.middles) === Boolean(major.items)) {
      problems.push(`taxonomy: major ${major.name} needs either middles or items, not both`);
    }
  }
  return problems;
}

function checkCoverage(taxonomy: Taxonomy, documents: ReadonlyMap<string, RuleDocument>): string[] {
  const problems: string[] = [];
  const categories = guideCategories(taxonomy);
  for (const category of categories) {
    const doc = documents.get(category.key);
    if (!doc) {
      problems.push(`${category.key}: category ${category.name} has no rule document`);
      continue;
    }
    if (doc.category !== category.major || doc.이름 !== category.name) {
      problems.push(`${category.key}: category/이름 must be ${category.major}/${category.name}`);
    }
    const listed = new Set(doc.대상_품목);
    const refused = new Set(Object.keys(doc.배출불가_품목_안내));
    for (const item of category.items) {
      if (item.excluded && !refused.has(item.name)) {
        problems.push(`${category.key}: refused item ${item.name} missing from 배출불가_품목_안내`);
      } else if (!item.excluded && !listed.has(item.name)) {
        problems.push(`${category.key}: taxonomy item ${item.name} missing from 대상_품목`);
      }
    }
  }
  const owned = new Set(categories.map((c) => c.key));
  for (const key of documents.keys()) {
    if (!owned.has(key)) problems.push(`${key}: no taxonomy category owns this document`);
  }
  for (const key of Object.keys(taxonomy.searchTerms ?? {})) {
    if (!documents.has(key)) problems.push(`taxonomy: searchTerms name unknown document ${key}`);
  }
  return problems;
}

function checkReferences(doc: RuleDocument, documents: ReadonlyMap<string, RuleDocument>) {
  const problems: string[] = [];
  const known = new Set([
    ...doc.대상_품목,
    ...Object.keys(doc.세부_품목),
    ...Object.values(doc.세부_품목).flat(),
  ]);
  for (const item of Object.keys(doc.배출방법_세부)) {
    if (!known.has(item)) problems.push(`${doc.key}: 배출방법_세부 names unlisted item ${item}`);
  }
  const guidance = Object.keys(doc.배출불가_품목_안내);
  const routes = doc.배출불가_품목_분류;
  for (const item of guidance) {
    const target = routes[item];
    if (target === undefined) problems.push(`${doc.key}: excluded item ${item} has no 분류`);
    else if (!documents.has(target)) {
      problems.push(`${doc.key}: excluded item ${item} points at unknown document ${target}`);
    }
  }
  for (const item of Object.keys(routes)) {
    if (!guidance.includes(item)) problems.push(`${doc.key}: 분류 of ${item} has no 안내`);
  }
  return problems;
}
