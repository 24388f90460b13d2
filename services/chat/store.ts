// SQL of conversations and messages, on the `chat` schema.
import type pg from "pg";
import type { ChatKey, MessageKey } from "./cursor.ts";

export type Db = Pick<pg.ClientBase, "query">;

export interface ChatRow {
  readonly id: string;
  readonly user_id: string;
  readonly title: string | null;
  readonly preview: string | null;
  readonly message_count: number;
  readonly last_message_at: Date | null;
  readonly created_at: Date;
  /** last_message_at in µs since epoch, exact, for cursors. */
  readonly last_us: string | null;
}

export interface MessageRow {
  readonly id: string;
  readonly role: "user" | "assistant";
  readonly content: string;
  readonly image_url: string | null;
  readonly intent: string | null;
  readonly metadata: Record<string, unknown> | null;
  readonly created_at: Date;
  /** created_at in µs since epoch, exact, for cursors. */
  readonly created_us: string;
}

const CHAT_COLUMNS = `id, user_id, title, preview, message_count, last_message_at, created_at,
  (EXTRACT(EPOCH FROM last_message_at) * 1000000)::bigint::text AS last_us`;

/** µs since epoch → timestamptz without floating point. */
const FROM_MICROS = (param: string) =>
  `(timestamptz 'epoch' + ${param}::bigint * interval '1 microsecond')`;

export async function insertChat(
  db: Db,
  chat: { id: string; userId: string; title: string | null },
): Promise<ChatRow> {
  const { rows } = await db.query<ChatRow>(
    `INSERT INTO conversations (id, user_id, title) VALUES ($1, $2, $3) RETURNING ${CHAT_COLUMNS}`,
    [chat.id, chat.userId, chat.title],
  );
  return rows[0]!;
}

/** liveChat reads a chat that is not deleted. */
export async function liveChat(db: Db, id: string): Promise<ChatRow | undefined> {
  const { rows } = await db.query<ChatRow>(
    `SELECT ${CHAT_COLUMNS} FROM conversations WHERE id = $1 AND NOT is_deleted`,
    [id],
  );
  return rows[0];
}

/** listChats pages a user's live chats by last activity, newest first, never-used ones last. */
export async function listChats(
  db: Db,
  userId: string,
  limit: number,
  after: ChatKey | undefined,
): Promise<ChatRow[]> {
  const params: unknown[] = [userId, limit];
  let where = "";
  if (after?.lastUs) {
    params.push(after.lastUs, after.id);
    where = `AND (last_message_at < ${FROM_MICROS("$3")} OR last_message_at IS NULL
      OR (last_message_at = ${FROM_MICROS("$3")} AND id < $4))`;
  } else if (after) {
    params.push(after.id);
    where = "AND last_message_at IS NULL AND id < $3";
  }
  const { rows } = await db.query<ChatRow>(
    `SELECT ${CHAT_COLUMNS} FROM conversations WHERE user_id = $1 AND NOT is_deleted ${where}
     ORDER BY last_message_at DESC NULLS LAST, id DESC LIMIT $2`,
    params,
  );
  return rows;
}

/** renameChat sets a live chat's title; false when there is none. */
export async function renameChat(db: Db, id: string, title: string): Promise<boolean> {
  const { rowCount } = await db.query(
    "UPDATE conversations SET title = $2, updated_at = now() WHERE id = $1 AND NOT is_deleted",
    [id, title],
  );
  return rowCount === 1;
}

/** softDeleteChat hides a chat (C5); its messages stay for the record. */
export async function softDeleteChat(db: Db, id: string): Promise<void> {
  await db.query("UPDATE conversations SET is_deleted = true, updated_at = now() WHERE id = $1", [
    id,
  ]);
}

const MESSAGE_COLUMNS = `id, role, content, image_url, intent, metadata, created_at,
  (EXTRACT(EPOCH FROM created_at) * 1000000)::bigint::text AS created_us`;

/**
 * olderMessages reads up to `limit` messages of a chat before `before` (all when unset), newest
 * first, in the history order: created_at, the user's message before the answer, id.
 */
export async function olderMessages(
  db: Db,
  chatId: string,
  limit: number,
  before: MessageKey | undefined,
): Promise<MessageRow[]> {
  const params: unknown[] = [chatId, limit];
  let where = "";
  if (before) {
    params.push(before.createdUs, before.assistant, before.id);
    where = `AND (created_at, role = 'assistant', id) < (${FROM_MICROS("$3")}, $4::boolean, $5::uuid)`;
  }
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat_id = $1 ${where}
     ORDER BY created_at DESC, role = 'assistant' DESC, id DESC LIMIT $2`,
    params,
  );
  return rows;
}

export interface AnswerPair {
  readonly jobId: string;
  readonly chatId: string;
  readonly user: { id: string; content: string; imageUrl: string | null; createdAt: Date };
  readonly assistant: {
    id: string;
    content: string;
    intent: string | null;
    metadata: unknown;
    createdAt: Date;
  };
}

/**
 * insertAnswer writes a job's user and assistant messages once (unique job_id, role) and, only
 * for rows that are new, moves the chat's count, preview and last activity. Returns how many
 * messages were new.
 */
export async function insertAnswer(db: Db, pair: AnswerPair, preview: string): Promise<number> {
  const insert = `INSERT INTO messages (id, chat_id, role, content, image_url, intent, metadata, job_id, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (job_id, role) DO NOTHING`;
  const { user, assistant } = pair;
  const first = await db.query(insert, [
    user.id,
    pair.chatId,
    "user",
    user.content,
    user.imageUrl,
    null,
    null,
    pair.jobId,
    user.createdAt,
  ]);
  const second = await db.query(insert, [
    assistant.id,
    pair.chatId,
    "assistant",
    assistant.content,
    null,
    assistant.intent,
    assistant.metadata === null ? null : JSON.stringify(assistant.metadata),
    pair.jobId,
    assistant.createdAt,
  ]);
  const added = (first.rowCount ?? 0) + (second.rowCount ?? 0);
  if (added > 0) {
    await db.query(
      // A late answer of an earlier job counts, but does not replace a newer preview.
      `UPDATE conversations SET message_count = message_count + $2,
         preview = CASE WHEN last_message_at IS NULL OR last_message_at <= $4 THEN $3 ELSE preview END,
         last_message_at = GREATEST(last_message_at, $4), updated_at = now()
       WHERE id = $1`,
      [pair.chatId, added, preview, assistant.createdAt],
    );
  }
  return added;
}

/** chatOwner reads who owns a chat, deleted or not; undefined when it does not exist. */
export async function chatOwner(db: Db, id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>(
    "SELECT user_id FROM conversations WHERE id = $1",
    [id],
  );
  return rows[0]?.user_id;
}

/** forgetUser removes every chat of a deleted user, with their messages and jobs. */
export async function forgetUser(db: Db, userId: string): Promise<void> {
  await db.query("DELETE FROM conversations WHERE user_id = $1", [userId]);
}
