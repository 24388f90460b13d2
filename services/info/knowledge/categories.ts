import type { Taxonomy, TaxonomyItem } from "./schema.ts";

/**
 * A GuideCategory is one disposal category that has a rule document: a middle category of a major
 * that has middles (재활용폐기물), or a major that lists its items directly.
 */
export interface GuideCategory {
  readonly key: string;
  readonly major: string;
  /** The middle category's name, or the major's own when it has no middles. */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly items: readonly TaxonomyItem[];
}

/**
 * guideKey names a category's document as the original pipeline did: `<major>_<middle>` for a
 * major with middles, `<major>` otherwise.
 */
export function guideKey(major: string, middle?: string): string {
  return middle ? `${major}_${middle}` : major;
}

/** guideCategories lists every category that must have a document, in taxonomy order. */
export function guideCategories(taxonomy: Taxonomy): GuideCategory[] {
  return taxonomy.majors.flatMap((major) => {
    if (major.middles) {
      return major.middles.map((middle) => ({
        key: guideKey(major.name, middle.name),
        major: major.name,
        name: middle.name,
        aliases: middle.aliases ?? [],
        items: middle.items,
      }));
    }
    return [
      {
        key: guideKey(major.name),
        major: major.name,
        name: major.name,
        aliases: major.aliases ?? [],
        items: major.items ?? [],
      },
    ];
  });
}
