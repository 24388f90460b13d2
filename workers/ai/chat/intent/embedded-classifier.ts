import { type Intent, sortIntents } from "./intents.ts";
import * as L from "./lexicon.ts";

/** What the embedded classifier decided and whether anything in the text pointed there. */
export interface EmbeddedClassification {
  readonly intents: Intent[];
  /** False when no rule fired and `general` is only the fallback (a follow-up may inherit). */
  readonly matched: boolean;
}

/** normalize folds Unicode form, case and spacing, so the patterns see one spelling. */
export function normalize(text: string): string {
  return text.normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Removes every match of a pattern, so a place phrase (분리수거장) does not also read as a rule. */
function mask(text: string, pattern: RegExp): string {
  return text.replace(new RegExp(pattern.source, "gi"), " ");
}

function wantsCollectionPoint(text: string): boolean {
  return L.COLLECTION_PLACE.test(text) && (L.NEAR.test(text) || /곳|데|찾아/.test(text));
}

function wantsShop(text: string): boolean {
  const rest = mask(text, L.COLLECTION_PLACE);
  return L.SHOP_PLACE.test(rest) && (L.NEAR.test(rest) || /찾아|추천|find|any/.test(rest));
}

function wantsBulk(text: string): boolean {
  const procedure = L.DISPOSE_HOW.test(text) || L.BULK_PROCEDURE.test(text);
  // "폐가전 수거하는 곳" asks for a place; the 대형폐기물 procedure is not the question.
  if (L.BULK_WORD.test(text)) return procedure || !wantsCollectionPoint(text);
  return L.BULK_ITEM.test(text) && procedure;
}

/** Strong: the sentence asks how to dispose. Weak: it only names disposal or handles an item. */
function wasteEvidence(text: string): "strong" | "weak" | "none" {
  const rest = mask(mask(text, L.COLLECTION_PLACE), L.DISPOSE_ASIDE);
  if (L.DISPOSE_HOW.test(rest) || L.WASTE_CLASS_QUESTION.test(rest)) return "strong";
  if (L.DISPOSE_NOUN.test(rest) && !L.WHY.test(rest)) return "weak";
  if (L.WASTE_ITEM.test(rest) && L.HANDLING_QUESTION.test(rest)) return "weak";
  return "none";
}

function wantsPrice(text: string): boolean {
  if (L.FEE_WORD.test(text)) return /시세|단가|kg당|고철|폐지/.test(text);
  if (/시세|단가|kg당|키로당|per kg/i.test(text)) return true;
  return L.PRICE_WORD.test(text) && L.PRICED_MATERIAL.test(text);
}

/**
 * classifyEmbedded reads the intents of one message with keyword rules, several at once when the
 * user asks several things. Precedence, where two readings compete for the same words: an image
 * request wins over a character it depicts, a bulky item over the general disposal rule, a news
 * search over the policy or price it is about.
 */
export function classifyEmbedded(message: string): EmbeddedClassification {
  const text = normalize(message);
  const found = new Set<Intent>();
  const image = L.IMAGE_REQUEST.test(text);
  const weather = L.WEATHER.test(text);
  const web = L.WEB_SEARCH.test(text) || (L.WEB_TOPIC.test(text) && !weather);
  const bulk = wantsBulk(text);
  if (image) found.add("image_generation");
  if (web) found.add("web_search");
  if (bulk) found.add("bulk_waste");
  if (L.CHARACTER.test(text) && !image) found.add("character");
  if (wantsCollectionPoint(text)) found.add("collection_point");
  if (wantsShop(text)) found.add("location");
  if (wantsPrice(text) && !web) found.add("recyclable_price");
  if (weather) found.add("weather");
  const waste = wasteEvidence(text);
  const wasteCounts = waste === "strong" || (waste === "weak" && !web);
  // A character question often says "if I throw X away": that clause is not a disposal question.
  const conditionalOnly = found.has("character") && !/방법|버리는 ?법|어떻게 ?버/.test(text);
  if (wasteCounts && !bulk && !image && !conditionalOnly) found.add("waste");
  if (wasteCounts && image && /방법|버리는 ?법/.test(text)) found.add("waste");
  return { intents: sortIntents(found), matched: found.size > 0 };
}
