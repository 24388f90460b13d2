// C1–C5, the chat.answered and my.user_deleted consumers, through the chat component's gRPC port
// on the real servers.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { randomUUID } from "node:crypto";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import type { ChatMessage } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { ChatAnsweredSchema, UserDeletedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { waitFor } from "../../test/support/wait-for.ts";
import { type ChatSystem, chatSkip, newUser, refusal, startChatSystem } from "./test-system.ts";

describe.skipIf(Boolean(chatSkip))(`chat conversations over gRPC ${chatSkip ?? ""}`, () => {
  let system: ChatSystem;
  beforeAll(async () => {
    system = await startChatSystem();
  }, 30_000);
  afterAll(async () => {
    await system?.stop();
  });

  const newChat = async (userId: string, title?: string) =>
    (await system.client.createChat({ title }, system.as(userId))).chat!;

  /** answer publishes chat.answered as the ai worker does (a new message id unless given). */
  const answer = (
    userId: string,
    chatId: string,
    at: number,
    extra: { jobId?: string; messageId?: string; text?: string } = {},
  ) =>
    system.platform.bus.publish(
      ChatAnsweredSchema,
      "chat.answered",
      {
        jobId: extra.jobId ?? randomUUID(),
        chatId,
        userId,
        userMessage: `질문 ${extra.text ?? at}`,
        assistantMessage: `답변 ${extra.text ?? at}`,
        intent: "waste",
        metadataJson: JSON.stringify({ eval: { grade: "A" } }),
        answeredAt: timestampFromMs(at),
      },
      { messageId: extra.messageId },
    );

  const countOf = async (userId: string, chatId: string) =>
    (await system.client.getChat({ chatId, limit: 1 }, system.as(userId))).chat!.messageCount;

  it("creates, lists and reads an empty chat; titles are checked", async () => {
    const alice = newUser();
    const chat = await newChat(alice, "  분리배출  ");
    expect(chat.title).toBe("분리배출");
    expect(chat.messageCount).toBe(0);
    const got = await system.client.getChat({ chatId: chat.id }, system.as(alice));
    expect(got.messages).toEqual([]);
    expect(got.hasMore).toBe(false);
    expect(got.nextCursor).toBeUndefined();
    expect((await newChat(alice, "   ")).title).toBeUndefined();
    const long = refusal(system.client.createChat({ title: "가".repeat(201) }, system.as(alice)));
    expect(await long).toEqual({ code: Code.InvalidArgument, domain: "TITLE_TOO_LONG" });
    await system.client.renameChat({ chatId: chat.id, title: "새 이름" }, system.as(alice));
    expect((await system.client.getChat({ chatId: chat.id }, system.as(alice))).chat?.title).toBe(
      "새 이름",
    );
    const blank = refusal(
      system.client.renameChat({ chatId: chat.id, title: " " }, system.as(alice)),
    );
    expect(await blank).toEqual({ code: Code.InvalidArgument, domain: "TITLE_REQUIRED" });
    expect(await refusal(system.client.listChats({}, {}))).toMatchObject({
      code: Code.Unauthenticated,
    });
  });

  it("answers 404 CHAT_NOT_FOUND for someone else's chat, a missing one or a non-UUID", async () => {
    const alice = newUser();
    const bob = newUser();
    const chat = await newChat(alice);
    const notFound = { code: Code.NotFound, domain: "CHAT_NOT_FOUND" };
    const asBob = system.as(bob);
    expect(await refusal(system.client.getChat({ chatId: chat.id }, asBob))).toEqual(notFound);
    expect(await refusal(system.client.renameChat({ chatId: chat.id, title: "x" }, asBob))).toEqual(
      notFound,
    );
    expect(await refusal(system.client.deleteChat({ chatId: chat.id }, asBob))).toEqual(notFound);
    const send = system.client.sendMessage({ chatId: chat.id, message: "안녕" }, asBob);
    expect(await refusal(send)).toEqual(notFound);
    expect(await refusal(system.client.getChat({ chatId: randomUUID() }, asBob))).toEqual(notFound);
    expect(await refusal(system.client.getChat({ chatId: "nope" }, asBob))).toEqual(notFound);
    expect((await system.client.listChats({}, asBob)).chats).toEqual([]);
    // Alice still sees it untouched.
    expect((await system.client.getChat({ chatId: chat.id }, system.as(alice))).chat?.id).toBe(
      chat.id,
    );
  });

  it("soft-deletes: gone from every call, the row kept", async () => {
    const alice = newUser();
    const kept = await newChat(alice, "kept");
    const gone = await newChat(alice, "gone");
    await system.client.deleteChat({ chatId: gone.id }, system.as(alice));
    const notFound = { code: Code.NotFound, domain: "CHAT_NOT_FOUND" };
    expect(await refusal(system.client.getChat({ chatId: gone.id }, system.as(alice)))).toEqual(
      notFound,
    );
    expect(await refusal(system.client.deleteChat({ chatId: gone.id }, system.as(alice)))).toEqual(
      notFound,
    );
    const send = system.client.sendMessage({ chatId: gone.id, message: "hi" }, system.as(alice));
    expect(await refusal(send)).toEqual(notFound);
    const listed = await system.client.listChats({}, system.as(alice));
    expect(listed.chats.map((c) => c.id)).toEqual([kept.id]);
    const row = await system.platform
      .pool("chat")
      .query("SELECT is_deleted FROM conversations WHERE id = $1", [gone.id]);
    expect(row.rows).toEqual([{ is_deleted: true }]);
  });

  it("pages a 60-message chat backwards: every message once, in order, through tied timestamps", async () => {
    const alice = newUser();
    const chat = await newChat(alice);
    // 30 answers at 5 instants: 6 user messages share each instant − 1 ms, 6 answers the instant.
    const base = Date.now() - 60_000;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        answer(alice, chat.id, base + Math.floor(i / 6) * 1000, { text: String(i) }),
      ),
    );
    await waitFor("60 messages", async () => (await countOf(alice, chat.id)) === 60, 15_000);

    const pages: ChatMessage[][] = [];
    let cursor = "";
    for (;;) {
      const page = await system.client.getChat(
        { chatId: chat.id, limit: 7, cursor },
        system.as(alice),
      );
      pages.push(page.messages);
      expect(page.hasMore).toBe(page.nextCursor !== undefined);
      if (!page.hasMore) break;
      cursor = page.nextCursor!;
      expect(pages.length).toBeLessThan(20);
    }
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 4]);
    const history = pages.reverse().flat();
    expect(new Set(history.map((m) => m.id)).size).toBe(60);
    const key = (m: ChatMessage) =>
      [timestampMs(m.createdAt!), m.role === "assistant" ? 1 : 0, m.id] as const;
    const sorted = [...history].sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
    });
    expect(history.map((m) => m.id)).toEqual(sorted.map((m) => m.id));
    // Ties were real: 6 messages share each timestamp.
    expect(new Set(history.map((m) => timestampMs(m.createdAt!))).size).toBe(10);
    // The newest page is the default read, ascending within it.
    const newest = await system.client.getChat({ chatId: chat.id, limit: 2 }, system.as(alice));
    expect(newest.messages.map((m) => m.id)).toEqual(history.slice(-2).map((m) => m.id));
    const bad = system.client.getChat({ chatId: chat.id, cursor: "garbage!" }, system.as(alice));
    expect(await refusal(bad)).toEqual({ code: Code.InvalidArgument, domain: "INVALID_CURSOR" });
    const limit = system.client.getChat({ chatId: chat.id, limit: 201 }, system.as(alice));
    expect(await refusal(limit)).toEqual({ code: Code.InvalidArgument, domain: "INVALID_LIMIT" });
  }, 30_000);

  it("lists chats by last activity, never-used last, paging through ties once each", async () => {
    const alice = newUser();
    const idle = await newChat(alice, "idle");
    const a = await newChat(alice, "a");
    const b = await newChat(alice, "b");
    const c = await newChat(alice, "c");
    const at = Date.now() - 10_000;
    await Promise.all([
      answer(alice, a.id, at),
      answer(alice, b.id, at),
      answer(alice, c.id, at + 5),
    ]);
    await waitFor("three answered chats", async () => {
      const counts = await Promise.all([a, b, c].map((x) => countOf(alice, x.id)));
      return counts.every((n) => n === 2);
    });
    const seen: string[] = [];
    let cursor = "";
    for (;;) {
      const page = await system.client.listChats({ limit: 1, cursor }, system.as(alice));
      seen.push(...page.chats.map((x) => x.title!));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(4);
    expect(seen[0]).toBe("c");
    expect(new Set(seen.slice(1, 3))).toEqual(new Set(["a", "b"]));
    expect(seen[3]).toBe(idle.title!);
    const first = (await system.client.listChats({ limit: 1 }, system.as(alice))).chats[0]!;
    expect(first).toMatchObject({ messageCount: 2, preview: `답변 ${at + 5}` });
  });

  it("persists an answer once however often chat.answered arrives; user message 1 ms earlier", async () => {
    const alice = newUser();
    const chat = await newChat(alice);
    const jobId = randomUUID();
    const at = Date.now() - 1000;
    const messageId = randomUUID();
    // The same message redelivered, and the answer republished twice under new message ids.
    const ids = [
      await answer(alice, chat.id, at, { jobId, messageId }),
      await answer(alice, chat.id, at, { jobId, messageId }),
      await answer(alice, chat.id, at, { jobId }),
      await answer(alice, chat.id, at, { jobId }),
    ];
    expect(new Set(ids).size).toBe(3);
    const pool = system.platform.pool("chat");
    await waitFor("every copy consumed", async () => {
      const done = await pool.query(
        "SELECT 1 FROM processed_messages WHERE consumer = 'chat.answered' AND message_id = ANY($1)",
        [ids],
      );
      const queue = await system.platform.bus.queueStats("chat.answered.q");
      return done.rowCount === 3 && queue.messages === 0;
    });
    const got = await system.client.getChat({ chatId: chat.id }, system.as(alice));
    expect(got.chat?.messageCount).toBe(2);
    expect(got.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", `질문 ${at}`],
      ["assistant", `답변 ${at}`],
    ]);
    const [user, assistant] = got.messages;
    expect(timestampMs(assistant!.createdAt!) - timestampMs(user!.createdAt!)).toBe(1);
    expect(assistant).toMatchObject({ intent: "waste", metadata: { eval: { grade: "A" } } });
    expect(timestampMs(got.chat!.lastMessageAt!)).toBe(at);
  });

  it("forgets a deleted user's chats (my.user_deleted)", async () => {
    const alice = newUser();
    const chat = await newChat(alice);
    await answer(alice, chat.id, Date.now());
    await waitFor("the answer", async () => (await countOf(alice, chat.id)) === 2);
    await system.platform.bus.publish(UserDeletedSchema, "my.user_deleted", { userId: alice });
    const pool = system.platform.pool("chat");
    await waitFor("the chats gone", async () => {
      const left = await pool.query("SELECT 1 FROM conversations WHERE user_id = $1", [alice]);
      return left.rowCount === 0;
    });
    const messages = await pool.query("SELECT 1 FROM messages WHERE chat_id = $1", [chat.id]);
    expect(messages.rowCount).toBe(0);
  });
});
