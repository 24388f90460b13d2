// C1–C5: a user's conversations and their history.
import { randomUUID } from "node:crypto";
import type { JsonObject } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import type pg from "pg";
import type { ChatMessage, ChatService, ChatSummary } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { domainError, requireUserId } from "../../lib/rpc/index.ts";
import { decodeChatKey, decodeMessageKey, encodeChatKey, encodeMessageKey } from "./cursor.ts";
import * as store from "./store.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TITLE_CHARS = 200;

const chatNotFound = () => domainError(Code.NotFound, "CHAT_NOT_FOUND", "no such chat");

/** ownChat reads a live chat of the caller's; anyone else's, or a deleted one, is absent (404). */
export async function ownChat(pool: pg.Pool, chatId: string): Promise<store.ChatRow> {
  const userId = requireUserId();
  if (!UUID.test(chatId)) throw chatNotFound();
  const chat = await store.liveChat(pool, chatId);
  if (!chat || chat.user_id !== userId) throw chatNotFound();
  return chat;
}

/** limitOf applies a page size's default and refuses one out of range. */
function limitOf(limit: number, fallback: number, max: number): number {
  if (limit === 0) return fallback;
  if (limit < 1 || limit > max) {
    throw domainError(Code.InvalidArgument, "INVALID_LIMIT", `limit must be 1..${max}`);
  }
  return limit;
}

function titleOf(title: string | undefined, required: boolean): string | null {
  const trimmed = title?.trim() ?? "";
  if (!trimmed) {
    if (required) throw domainError(Code.InvalidArgument, "TITLE_REQUIRED", "title is required");
    return null;
  }
  if ([...trimmed].length > MAX_TITLE_CHARS) {
    throw domainError(
      Code.InvalidArgument,
      "TITLE_TOO_LONG",
      `title is longer than ${MAX_TITLE_CHARS} characters`,
    );
  }
  return trimmed;
}

function summaryOf(chat: store.ChatRow): ChatSummary {
  return {
    $typeName: "eco2.chat.v1.ChatSummary",
    id: chat.id,
    title: chat.title ?? undefined,
    preview: chat.preview ?? undefined,
    messageCount: chat.message_count,
    lastMessageAt: chat.last_message_at ? timestampFromDate(chat.last_message_at) : undefined,
    createdAt: timestampFromDate(chat.created_at),
  };
}

function messageOf(row: store.MessageRow): ChatMessage {
  return {
    $typeName: "eco2.chat.v1.ChatMessage",
    id: row.id,
    role: row.role,
    content: row.content,
    imageUrl: row.image_url ?? undefined,
    intent: row.intent ?? undefined,
    metadata: (row.metadata as JsonObject | null) ?? undefined,
    createdAt: timestampFromDate(row.created_at),
  };
}

const messageKeyOf = (row: store.MessageRow) =>
  encodeMessageKey({ createdUs: row.created_us, assistant: row.role === "assistant", id: row.id });

export function conversationHandlers(pool: pg.Pool): Partial<ServiceImpl<typeof ChatService>> {
  return {
    async listChats({ limit, cursor }) {
      const userId = requireUserId();
      const size = limitOf(limit, 20, 100);
      const after = cursor ? decodeChatKey(cursor) : undefined;
      const rows = await store.listChats(pool, userId, size + 1, after);
      const page = rows.slice(0, size);
      const last = page.at(-1);
      return {
        chats: page.map(summaryOf),
        nextCursor:
          rows.length > size && last
            ? encodeChatKey({ lastUs: last.last_us, id: last.id })
            : undefined,
      };
    },

    async createChat({ title }) {
      const userId = requireUserId();
      const chat = await store.insertChat(pool, {
        id: randomUUID(),
        userId,
        title: titleOf(title, false),
      });
      return { chat: summaryOf(chat) };
    },

    /** The newest `limit` messages, ascending; `cursor` pages to older ones (CONTRACT A.1). */
    async getChat({ chatId, limit, cursor }) {
      const size = limitOf(limit, 50, 200);
      const before = cursor ? decodeMessageKey(cursor) : undefined;
      const chat = await ownChat(pool, chatId);
      const rows = await store.olderMessages(pool, chat.id, size + 1, before);
      const page = rows.slice(0, size).reverse();
      const hasMore = rows.length > size;
      return {
        chat: summaryOf(chat),
        messages: page.map(messageOf),
        hasMore,
        nextCursor: hasMore && page[0] ? messageKeyOf(page[0]) : undefined,
      };
    },

    async renameChat({ chatId, title }) {
      const chat = await ownChat(pool, chatId);
      if (!(await store.renameChat(pool, chat.id, titleOf(title, true)!))) throw chatNotFound();
      return {};
    },

    async deleteChat({ chatId }) {
      const chat = await ownChat(pool, chatId);
      await store.softDeleteChat(pool, chat.id);
      return {};
    },
  };
}
