import type { JsonObject } from "@bufbuild/protobuf";
import { Elysia, t } from "elysia";
import type { ChatMessage, ChatSummary } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { currentContext } from "../../lib/context/request-context.ts";
import { ApiError } from "../api-error.ts";
import type { ChatMessageLimit } from "../chat-message-limit.ts";
import type { ServiceClients } from "../clients.ts";
import { errorBody, isoTime, isoTimeOrNull, jsonObject, strictJson } from "./wire.ts";

const summary = t.Object({
  id: t.String(),
  title: t.Nullable(t.String()),
  preview: t.Nullable(t.String()),
  message_count: t.Integer(),
  last_message_at: t.Nullable(t.String({ format: "date-time" })),
  created_at: t.String({ format: "date-time" }),
});

const message = t.Object({
  id: t.String(),
  role: t.String(),
  content: t.String(),
  image_url: t.Nullable(t.String()),
  intent: t.Nullable(t.String()),
  metadata: t.Nullable(jsonObject),
  created_at: t.String({ format: "date-time" }),
});

// Every route below shares the :chat_id segment name: Elysia's router refuses two parameter names
// at one position per method, so the job routes (C7 here, the SSE stream later) name it chat_id too.
const chatPath = t.Object({ chat_id: t.String({ format: "uuid" }) });
const jobPath = t.Object({ chat_id: t.String({ minLength: 1, maxLength: 100 }) });

/** The longest chat message (C6 and the WebSocket's `message` frame). */
export const MAX_MESSAGE_CHARS = 10_000;

/** C6's body, which the WebSocket's `message` frame shares. */
export const messageBody = t.Object({
  message: t.String({ maxLength: MAX_MESSAGE_CHARS }),
  image_url: t.Optional(t.Nullable(t.String({ format: "uri" }))),
  user_location: t.Optional(
    t.Nullable(
      t.Object({
        latitude: t.Number({ minimum: -90, maximum: 90 }),
        longitude: t.Number({ minimum: -180, maximum: 180 }),
      }),
    ),
  ),
  model: t.Optional(t.Nullable(t.String({ maxLength: 100 }))),
});

/** The SendMessage request of a validated C6 body (blank messages are refused here). */
export function sendMessageRequest(chatId: string, body: typeof messageBody.static) {
  if (!body.message.trim()) {
    throw new ApiError(400, "MESSAGE_REQUIRED", "message must not be blank");
  }
  return {
    chatId,
    message: body.message,
    imageUrl: body.image_url ?? "",
    userLocation: body.user_location ?? undefined,
    model: body.model ?? "",
  };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`chat service answered without ${what}`);
  return value;
}

function summaryJson(chat: ChatSummary): typeof summary.static {
  return {
    id: chat.id,
    title: chat.title ?? null,
    preview: chat.preview ?? null,
    message_count: chat.messageCount,
    last_message_at: isoTimeOrNull(chat.lastMessageAt),
    created_at: isoTime(chat.createdAt),
  };
}

function messageJson(m: ChatMessage): typeof message.static {
  return {
    id: m.id,
    role: m.role,
    content: m.content,
    image_url: m.imageUrl ?? null,
    intent: m.intent ?? null,
    metadata: m.metadata ?? null,
    created_at: isoTime(m.createdAt),
  };
}

/** chatRoutes manage conversations with 이코 and submit messages (CONTRACT C1–C7) → ChatService. */
export function chatRoutes(
  clients: ServiceClients,
  options: { messageLimit?: ChatMessageLimit } = {},
) {
  return new Elysia({
    name: "eco2/routes/chat",
    prefix: "/api/v1/chat",
    detail: { tags: ["chat"] },
  })
    .get(
      "",
      async ({ query }) => {
        const answer = await clients.chat.listChats({
          limit: query.limit,
          cursor: query.cursor ?? "",
        });
        return { chats: answer.chats.map(summaryJson), next_cursor: answer.nextCursor ?? null };
      },
      {
        query: t.Object({
          limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
          cursor: t.Optional(t.String()),
        }),
        response: t.Object({ chats: t.Array(summary), next_cursor: t.Nullable(t.String()) }),
        detail: { summary: "The caller's conversations, latest activity first (C1)" },
      },
    )
    .post(
      "",
      async ({ body, status }) => {
        const answer = await clients.chat.createChat({ title: body?.title ?? undefined });
        const chat = required(answer.chat, "the created chat");
        return status(201, {
          id: chat.id,
          title: chat.title ?? null,
          created_at: isoTime(chat.createdAt),
        });
      },
      {
        // The client posts no body at all.
        body: t.Optional(t.Object({ title: t.Optional(t.Nullable(t.String({ maxLength: 200 }))) })),
        response: {
          201: t.Object({
            id: t.String(),
            title: t.Nullable(t.String()),
            created_at: t.String({ format: "date-time" }),
          }),
        },
        detail: { summary: "Start a conversation (C2)" },
      },
    )
    .get(
      "/:chat_id",
      async ({ params: { chat_id }, query }) => {
        const answer = await clients.chat.getChat({
          chatId: chat_id,
          limit: query.limit,
          cursor: query.cursor ?? "",
        });
        const chat = required(answer.chat, "the chat");
        return {
          id: chat.id,
          title: chat.title ?? null,
          messages: answer.messages.map(messageJson),
          has_more: answer.hasMore,
          next_cursor: answer.nextCursor ?? null,
          created_at: isoTime(chat.createdAt),
        };
      },
      {
        params: chatPath,
        query: t.Object({
          limit: t.Integer({ minimum: 1, maximum: 200, default: 50 }),
          cursor: t.Optional(t.String()),
        }),
        response: {
          200: t.Object({
            id: t.String(),
            title: t.Nullable(t.String()),
            messages: t.Array(message),
            has_more: t.Boolean(),
            next_cursor: t.Nullable(t.String()),
            created_at: t.String({ format: "date-time" }),
          }),
          404: errorBody,
        },
        detail: {
          summary:
            "A conversation with its newest messages, ascending; cursor pages to older ones (C3)",
        },
      },
    )
    .patch(
      "/:chat_id",
      async ({ params: { chat_id }, body, set }) => {
        await clients.chat.renameChat({ chatId: chat_id, title: body.title });
        set.status = 204;
      },
      {
        params: chatPath,
        body: t.Object({ title: t.String({ maxLength: 200 }) }),
        detail: {
          summary: "Rename a conversation (C4)",
          responses: { 204: { description: "Renamed" } },
        },
      },
    )
    .delete(
      "/:chat_id",
      async ({ params: { chat_id }, set }) => {
        await clients.chat.deleteChat({ chatId: chat_id });
        set.status = 204;
      },
      {
        params: chatPath,
        detail: {
          summary: "Delete a conversation (C5)",
          responses: { 204: { description: "Deleted" } },
        },
      },
    )
    .post(
      "/:chat_id/messages",
      async ({ params: { chat_id }, body }) => {
        const request = sendMessageRequest(chat_id, body);
        await options.messageLimit?.check(currentContext()?.userId ?? "");
        const answer = await clients.chat.sendMessage(request);
        return {
          job_id: answer.jobId,
          stream_url: `/api/v1/chat/${answer.jobId}/events`,
          status: answer.status || "submitted",
        };
      },
      {
        params: chatPath,
        parse: strictJson,
        body: messageBody,
        response: {
          200: t.Object({ job_id: t.String(), stream_url: t.String(), status: t.String() }),
          400: errorBody,
          413: errorBody,
          429: errorBody,
        },
        detail: {
          summary: "Send a message; the answer streams from stream_url (C6)",
          description:
            "At most RATE_LIMIT_CHAT_MESSAGES_PER_MINUTE messages a minute per user (over this route and the WebSocket together), else 429 RATE_LIMITED with Retry-After. A body that is not valid UTF-8 is 400 INVALID_UTF8.",
        },
      },
    )
    .post(
      "/:chat_id/input",
      async ({ params: { chat_id: jobId }, body }) => {
        const answer = await clients.chat.submitInput({
          jobId,
          type: body.type,
          data: body.data as JsonObject | undefined,
        });
        return { status: answer.status || "received", job_id: answer.jobId || jobId };
      },
      {
        params: jobPath,
        parse: strictJson,
        body: t.Object({
          type: t.UnionEnum(["location", "confirmation", "cancel"]),
          data: t.Optional(jsonObject),
        }),
        response: t.Object({ status: t.String(), job_id: t.String() }),
        detail: {
          summary: "Answer a running job's question (C7); the path segment is the job id",
        },
      },
    );
}
