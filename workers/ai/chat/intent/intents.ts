/** The agent's intents (CONTRACT §3.6), in the order answers present them. */
export const INTENTS = [
  "waste",
  "bulk_waste",
  "character",
  "collection_point",
  "location",
  "recyclable_price",
  "weather",
  "web_search",
  "image_generation",
  "general",
] as const;

export type Intent = (typeof INTENTS)[number];

export function isIntent(value: string): value is Intent {
  return (INTENTS as readonly string[]).includes(value);
}

/** sortIntents puts intents in answer order without duplicates; an empty list means general. */
export function sortIntents(intents: Iterable<Intent>): Intent[] {
  const set = new Set(intents);
  const sorted = INTENTS.filter((intent) => set.has(intent));
  return sorted.length > 0 ? sorted : ["general"];
}
