import type { LlmPort, PastMessage } from "../ports.ts";
import { classifyEmbedded } from "./embedded-classifier.ts";
import { INTENTS, type Intent, isIntent, sortIntents } from "./intents.ts";

export interface TurnIntents {
  readonly intents: Intent[];
  /** llm | embedded | follow_up (inherited from the previous answer) */
  readonly source: "llm" | "embedded" | "follow_up";
}

// Topics a short follow-up ("그럼 유리병은?") continues; small talk and searches do not carry over.
const CARRIES_OVER: ReadonlySet<Intent> = new Set([
  "waste",
  "bulk_waste",
  "character",
  "recyclable_price",
  "collection_point",
  "location",
]);
const FOLLOW_UP_MAX_LENGTH = 40;

/** The previous answer's intent, when the new message reads as a short follow-up of it. */
function inherited(message: string, history: readonly PastMessage[]): Intent | undefined {
  if (message.trim().length > FOLLOW_UP_MAX_LENGTH) return undefined;
  const last = [...history].reverse().find((m) => m.role === "assistant" && m.intent);
  const intent = last?.intent;
  return intent && isIntent(intent) && CARRIES_OVER.has(intent) ? intent : undefined;
}

export const INTENT_SCHEMA = {
  type: "object",
  properties: {
    intents: { type: "array", items: { type: "string", enum: [...INTENTS] }, minItems: 1 },
  },
  required: ["intents"],
  additionalProperties: false,
} as const;

const INTENT_PROMPT = [
  "You classify one message a user sends to 이코, the recycling helper of a Korean app.",
  "Return every intent the message asks for (several when it asks several things):",
  "waste (how to sort/dispose an item), bulk_waste (furniture, big appliances: 대형폐기물 report/fee/sticker),",
  "character (the app's collectible characters), location (zero-waste/refill/eco shops nearby),",
  "collection_point (recycling bins, drop-off/collection points nearby), recyclable_price (prices of recyclables, deposits),",
  "weather, web_search (news, latest policy, explicit search), image_generation (draw/make a picture), general (anything else).",
  "A short follow-up like '그럼 유리병은?' continues the previous turn's intent.",
].join(" ");

async function classifyWithLlm(llm: LlmPort, message: string, history: readonly PastMessage[]) {
  const answer = (await llm.json(
    [
      { role: "system", content: INTENT_PROMPT },
      ...history.slice(-4).map((m) => ({ role: m.role, content: m.content })),
      { role: "user", content: message },
    ],
    "chat_intents",
    INTENT_SCHEMA,
  )) as { intents?: unknown };
  const intents = Array.isArray(answer.intents) ? answer.intents.filter(isIntent) : [];
  if (intents.length === 0) throw new Error("the provider returned no known intent");
  return sortIntents(intents);
}

/**
 * classifyTurn reads a message's intents: the provider's structured answer when one is configured,
 * else (or when it fails) the embedded classifier, which lets a short message with no intent of its
 * own inherit the previous answer's topic.
 */
export async function classifyTurn(
  message: string,
  history: readonly PastMessage[],
  llm?: LlmPort,
  onLlmError?: (err: unknown) => void,
): Promise<TurnIntents> {
  if (llm) {
    try {
      return { intents: await classifyWithLlm(llm, message, history), source: "llm" };
    } catch (err) {
      onLlmError?.(err);
    }
  }
  const embedded = classifyEmbedded(message);
  const carried = embedded.matched ? undefined : inherited(message, history);
  if (carried) return { intents: [carried], source: "follow_up" };
  return { intents: embedded.intents, source: "embedded" };
}
