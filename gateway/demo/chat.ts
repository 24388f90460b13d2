// Chat with 이코 (CONTRACT C1–C3, C6, §2.3, §A.7): conversations, the answer streamed token by
// token, and a running answer picked up again after a reload.
import { call } from "./api.ts";
import { type ChatChannel, type ChatEvent, endsJob } from "./chat-channel.ts";
import { byId, el, notify } from "./dom.ts";
import { attempt } from "./session.ts";

interface ChatSummary {
  id: string;
  title: string | null;
  preview: string | null;
}
interface Message {
  role: "user" | "assistant";
  content: string;
  intent: string | null;
}
interface History {
  messages: Message[];
  has_more: boolean;
  next_cursor: string | null;
}

/** Where a running answer is remembered, so a reload can pick it up by job id. */
const PENDING_KEY = "eco2.demo.chat.pending";
/** Seoul City Hall, the same preset the places tab offers. */
const CITY_HALL = { latitude: 37.5662952, longitude: 126.9779451 };

interface Pending {
  chatId: string;
  jobId: string;
  question: string;
}

let current: string | undefined;
let olderCursor: string | null = null;

export function wireChat(channel: ChatChannel): void {
  byId<HTMLFormElement>("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void attempt(() => sendMessage(channel));
  });
  byId("chat-new").addEventListener("click", () =>
    attempt(async () => {
      await newChat();
    }),
  );
  byId<HTMLSelectElement>("chat-list").addEventListener("change", (event) => {
    void attempt(() => openChat((event.target as HTMLSelectElement).value));
  });
  byId("chat-older").addEventListener("click", () => attempt(loadOlder));
}

/** openChatTab lists the conversations, opens the latest and resumes an answer still running. */
export async function openChatTab(channel: ChatChannel): Promise<void> {
  const before = openedCount;
  const { chats } = await call<{ chats: ChatSummary[] }>("GET", "/api/v1/chat?limit=20");
  // The person picked or started a chat while the list loaded: leave it open.
  if (openedCount !== before) return;
  fillList(chats);
  const pending = readPending();
  const chatId = pending?.chatId ?? current ?? chats[0]?.id;
  if (chatId) await openChat(chatId);
  if (pending && pending.chatId === chatId) resume(channel, pending);
}

function fillList(chats: ChatSummary[]): void {
  byId("chat-list").replaceChildren(
    ...chats.map((chat) => el("option", { value: chat.id }, chatLabel(chat))),
  );
}

function chatLabel(chat: ChatSummary): string {
  return chat.title ?? chat.preview?.slice(0, 24) ?? "새 대화";
}

/** The chat being started (새 대화): a message sent meanwhile goes to it, not to the one shown. */
let starting: Promise<string> | undefined;

function newChat(): Promise<string> {
  const started = startChat();
  starting = started;
  const settled = () => {
    if (starting === started) starting = undefined;
  };
  started.then(settled, settled);
  return started;
}

async function startChat(): Promise<string> {
  const chat = await call<ChatSummary>("POST", "/api/v1/chat");
  const list = byId<HTMLSelectElement>("chat-list");
  list.prepend(el("option", { value: chat.id }, chatLabel(chat)));
  await openChat(chat.id);
  return chat.id;
}

/** The latest openChat, which a message waits for so a late history never replaces its bubbles. */
let opening: Promise<void> = Promise.resolve();
let openedCount = 0;

function openChat(chatId: string): Promise<void> {
  const mine = ++openedCount;
  current = chatId;
  byId<HTMLSelectElement>("chat-list").value = chatId;
  opening = (async () => {
    const history = await call<History>("GET", `/api/v1/chat/${chatId}?limit=20`);
    // Another chat was opened meanwhile (a click on 새 대화 while the tab loaded): it wins.
    if (mine !== openedCount) return;
    byId("chat-log").replaceChildren(...history.messages.map(bubbleOf));
    setOlder(history);
    scrollToEnd();
  })();
  return opening;
}

/** loadOlder puts the previous page above what is shown (pages run newest to oldest). */
async function loadOlder(): Promise<void> {
  if (!current || !olderCursor) return;
  const query = `limit=20&cursor=${encodeURIComponent(olderCursor)}`;
  const history = await call<History>("GET", `/api/v1/chat/${current}?${query}`);
  byId("chat-log").prepend(...history.messages.map(bubbleOf));
  setOlder(history);
}

function setOlder(history: History): void {
  olderCursor = history.has_more ? history.next_cursor : null;
  byId("chat-older").hidden = olderCursor === null;
}

function bubbleOf(message: Message): HTMLElement {
  const attributes: Record<string, string> = { class: `bubble ${message.role}` };
  if (message.intent) attributes["data-intent"] = message.intent;
  return el("li", attributes, message.content);
}

async function sendMessage(channel: ChatChannel): Promise<void> {
  const input = byId<HTMLInputElement>("chat-input");
  const question = input.value.trim();
  if (!question) return notify("메시지를 입력해 주세요.");
  // A chat still being started wins over the one shown; one that failed leaves that one.
  const chatId = (await starting?.catch(() => undefined)) ?? current ?? (await newChat());
  await opening.catch(() => undefined);
  const withLocation = byId<HTMLInputElement>("chat-location").checked;
  input.value = "";
  byId("chat-log").append(bubbleOf({ role: "user", content: question, intent: null }));
  const answer = startAnswer();
  setBusy(true);
  try {
    const jobId = await channel.send(
      { chat_id: chatId, message: question, ...(withLocation ? { user_location: CITY_HALL } : {}) },
      answer,
    );
    writePending({ chatId, jobId, question });
  } catch (err) {
    setBusy(false);
    throw err;
  }
}

/**
 * resume shows the question again (it is saved only with its answer) and follows the job; when
 * the history already ends with that question and an answer, the job finished while the page was
 * away and there is nothing to follow.
 */
function resume(channel: ChatChannel, pending: Pending): void {
  const log = byId("chat-log");
  const [question, answer] = [log.children[log.children.length - 2], log.lastElementChild];
  if (question?.textContent === pending.question && answer?.classList.contains("assistant")) {
    clearPending();
    return;
  }
  log.append(bubbleOf({ role: "user", content: pending.question, intent: null }));
  setBusy(true);
  void channel.watch(pending.jobId, startAnswer());
}

/** startAnswer adds the assistant's bubble and returns what fills it as events arrive. */
function startAnswer(): (event: ChatEvent) => void {
  const bubble = el("li", { class: "bubble assistant streaming" }, "");
  byId("chat-log").append(bubble);
  return (event) => {
    showEvent(bubble, event);
    if (endsJob(event)) {
      bubble.classList.remove("streaming");
      clearPending();
      setBusy(false);
    }
    scrollToEnd();
  };
}

function showEvent(bubble: HTMLElement, event: ChatEvent): void {
  const data = event.data;
  if (event.event === "token") bubble.textContent += String(data.content ?? "");
  else if (event.event === "token_recovery") bubble.textContent = String(data.accumulated ?? "");
  else if (event.event === "done" && data.status === "completed") finish(bubble, data);
  else if (event.event === "error" || data.status === "failed") fail(bubble, data);
  else if (typeof data.message === "string" && data.message) stage(data.message);
}

function finish(bubble: HTMLElement, data: Record<string, unknown>): void {
  const result = (data.result ?? {}) as { answer?: string; intent?: string };
  if (result.answer) bubble.textContent = result.answer;
  if (result.intent) bubble.dataset.intent = result.intent;
  stage("");
}

function fail(bubble: HTMLElement, data: Record<string, unknown>): void {
  const retriable = data.error === "connection_reset" || data.error === "temporary";
  bubble.classList.add("failed");
  if (!bubble.textContent) {
    bubble.textContent = retriable
      ? "연결이 끊겼어요. 새로고침하면 이어서 받아요."
      : "답변을 만들지 못했어요. 다시 물어봐 주세요.";
  }
  stage("");
}

function stage(message: string): void {
  byId("chat-stage").textContent = message;
}

function setBusy(busy: boolean): void {
  byId<HTMLButtonElement>("chat-send").disabled = busy;
}

function scrollToEnd(): void {
  const log = byId("chat-log");
  log.scrollTop = log.scrollHeight;
}

function readPending(): Pending | undefined {
  const saved = sessionStorage.getItem(PENDING_KEY);
  return saved ? (JSON.parse(saved) as Pending) : undefined;
}

function writePending(pending: Pending): void {
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
}

function clearPending(): void {
  sessionStorage.removeItem(PENDING_KEY);
}
