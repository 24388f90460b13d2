// A long conversation through the gateway against the real servers: 30 questions make 60
// messages, and paging backwards from the newest (C3 with next_cursor) visits every message once,
// in order, each user message right before its answer.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type RunningProcess, stopProcess, waitFor } from "../support/processes.ts";
import {
  askOverSse,
  type ChatUser,
  call,
  createChat,
  signIn,
  startChatSystem,
} from "./chat-client.ts";

const TURNS = 30;
const PAGE = 7;

let system: RunningProcess;
let base: string;
let user: ChatUser;

beforeAll(async () => {
  ({ system, base } = await startChatSystem());
  user = await signIn(base, "chat-history");
}, 120_000);

afterAll(() => stopProcess(system), 15_000);

interface Message {
  id: string;
  role: string;
  content: string;
  created_at: string;
}

describe("a 60-message conversation", () => {
  it("pages backwards through every message once, in order", async () => {
    const chatId = await createChat(base, user);
    const questions = Array.from({ length: TURNS }, (_, i) =>
      i % 2 ? `${i}번째 질문: 소파 버리려면?` : `${i}번째 질문: 페트병은 어떻게 버려?`,
    );
    const answers: string[] = [];
    for (const message of questions) {
      const { events } = await askOverSse(base, user, chatId, { message });
      expect(events.at(-1)!.event).toBe("done");
      answers.push(events.at(-1)!.data.result.answer);
    }
    // Messages are stored when the answer event is consumed, a moment after done.
    await waitFor(
      async () => {
        const chat = await call(base, user, "GET", "/api/v1/chat?limit=100");
        const summary = chat.body.chats.find((c: { id: string }) => c.id === chatId);
        return summary?.message_count === TURNS * 2 ? true : undefined;
      },
      30_000,
      "all 60 messages to be stored",
    );
    const pages: Message[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = await call(base, user, "GET", `/api/v1/chat/${chatId}?limit=${PAGE}${query}`);
      expect(page.status).toBe(200);
      pages.unshift(page.body.messages);
      cursor = page.body.has_more ? page.body.next_cursor : null;
      expect(pages.length).toBeLessThanOrEqual(TURNS);
    } while (cursor);
    const messages = pages.flat();
    expect(messages).toHaveLength(TURNS * 2);
    expect(new Set(messages.map((m) => m.id)).size).toBe(TURNS * 2);
    const times = messages.map((m) => Date.parse(m.created_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(messages.map((m) => m.role)).toEqual(
      Array.from({ length: TURNS * 2 }, (_, i) => (i % 2 ? "assistant" : "user")),
    );
    expect(messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual(questions);
    expect(messages.filter((m) => m.role === "assistant").map((m) => m.content)).toEqual(answers);
  }, 240_000);
});
