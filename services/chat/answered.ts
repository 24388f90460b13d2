import { randomUUID } from "node:crypto";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type pg from "pg";
import { type ChatAnswered, ChatAnsweredSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { consumeIdempotently } from "../../lib/bus/consume-idempotently.ts";
import type { Bus } from "../../lib/bus/types.ts";
import type { Logger } from "../../lib/log/create-logger.ts";
import { type AnswerPair, chatOwner, type Db, insertAnswer } from "./store.ts";

export const CHAT_ANSWERED = "chat.answered";
/** A chat's preview is the start of its latest answer. */
const PREVIEW_CHARS = 100;

function metadataOf(json: string): unknown {
  if (!json) return null;
  try {
    const parsed = JSON.parse(json);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** pairOf makes the two messages of an answer: the user's 1 ms before the assistant's. */
export function pairOf(event: ChatAnswered): AnswerPair {
  const answeredAt = event.answeredAt ? timestampDate(event.answeredAt) : new Date();
  return {
    jobId: event.jobId,
    chatId: event.chatId,
    user: {
      id: randomUUID(),
      content: event.userMessage,
      imageUrl: event.userImageUrl || null,
      createdAt: new Date(answeredAt.getTime() - 1),
    },
    assistant: {
      id: randomUUID(),
      content: event.assistantMessage,
      intent: event.intent || null,
      metadata: metadataOf(event.metadataJson),
      createdAt: answeredAt,
    },
  };
}

/**
 * persistAnswer writes an answer's two messages once: the consumer is idempotent by message id,
 * and (job_id, role) is unique, so a republished answer under a new id adds nothing either. An
 * answer for a chat that is gone (its user deleted) or not the user's is dropped.
 */
export async function persistAnswer(tx: Db, event: ChatAnswered, log: Logger): Promise<number> {
  const owner = await chatOwner(tx, event.chatId);
  if (owner !== event.userId) {
    log.warn({ job_id: event.jobId, chat_id: event.chatId }, "answer for an unknown chat; dropped");
    return 0;
  }
  const preview = [...event.assistantMessage].slice(0, PREVIEW_CHARS).join("");
  return insertAnswer(tx, pairOf(event), preview);
}

/** consumeAnswered persists each final answer (chat.answered) as the chat's two messages. */
export function consumeAnswered(bus: Bus, pool: pg.Pool, log: Logger) {
  return consumeIdempotently(
    bus,
    pool,
    {
      name: "chat.answered",
      schema: "chat",
      bindings: [CHAT_ANSWERED],
      schemas: [ChatAnsweredSchema],
    },
    async (event, tx) => {
      await persistAnswer(tx, event, log);
    },
  );
}
