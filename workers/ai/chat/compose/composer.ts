import type { Intent } from "../intent/intents.ts";
import type { ChatTurn, LlmPort, PastMessage } from "../ports.ts";
import type { Finding } from "../subagents/types.ts";
import { embeddedAnswer, factsBlock, PERSONA } from "./persona.ts";

export interface ComposeInput {
  readonly message: string;
  readonly intents: readonly Intent[];
  readonly findings: readonly Finding[];
  readonly history: readonly PastMessage[];
}

/** A composer streams the answer's text in pieces; the pieces joined are the answer. */
export type Composer = (input: ComposeInput) => AsyncIterable<string>;

/**
 * chunks splits a text into word-sized pieces (each keeps its trailing space or newline), so the
 * embedded answer streams through the same token path as a provider's.
 */
export function chunks(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** embeddedComposer streams the embedded answer in chunks. */
export const embeddedComposer: Composer = async function* (input) {
  for (const piece of chunks(embeddedAnswer(input.intents, input.findings))) yield piece;
};

const HISTORY_TURNS = 6;

export function composerTurns(input: ComposeInput): ChatTurn[] {
  return [
    { role: "system", content: `${PERSONA}\n\n찾은 정보:\n${factsBlock(input.findings)}` },
    ...input.history.slice(-HISTORY_TURNS).map((m) => ({ role: m.role, content: m.content })),
    { role: "user", content: input.message },
  ];
}

/**
 * llmComposer streams a provider's tokens. If the provider fails before its first token, the
 * embedded answer streams instead; if it fails midway, the embedded answer follows what was said,
 * so the user always gets the facts.
 */
export function llmComposer(llm: LlmPort, onError: (err: unknown) => void): Composer {
  return async function* (input) {
    let said = false;
    try {
      for await (const delta of llm.stream(composerTurns(input))) {
        said = true;
        yield delta;
      }
      return;
    } catch (err) {
      onError(err);
    }
    if (said) yield "\n\n";
    yield* embeddedComposer(input);
  };
}
