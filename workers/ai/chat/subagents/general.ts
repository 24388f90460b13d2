import { readFileSync } from "node:fs";
import type { Finding, SubAgent } from "./types.ts";

interface GeneralTopics {
  topics: { words: string[]; answer: string }[];
  fallback: string;
}

const TOPICS: GeneralTopics = JSON.parse(
  readFileSync(new URL("./general.json", import.meta.url), "utf8"),
);

/**
 * generalAgent answers small talk and a few environmental terms from general.json; anything else
 * gets a fallback that says what 이코 can help with. A configured provider's composer answers the
 * question itself, using this only as a hint.
 */
export function generalAgent(): SubAgent {
  return async (turn): Promise<Finding> => {
    const text = ` ${turn.message.toLowerCase()} `;
    const topic = TOPICS.topics.find((t) => t.words.some((w) => text.includes(w)));
    return {
      intent: "general",
      found: topic !== undefined,
      facts: [topic?.answer ?? TOPICS.fallback],
      result: { topic: topic?.words[0] ?? null },
    };
  };
}
