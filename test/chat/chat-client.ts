// What a client does around a chat: sign in, create a chat, send a message over C6 and follow
// its SSE stream, or do both over the WebSocket. Shared by the chat suites and the chat benchmark.

import { devLogin } from "../support/dev-login.ts";
import {
  allInOneEnv,
  type RunningProcess,
  startProcess,
  waitUntilReady,
} from "../support/processes.ts";
import { realServers } from "../support/servers.ts";
import { type ReceivedEvent, readEvents } from "../support/sse.ts";

export interface ChatUser {
  readonly id: string;
  readonly headers: Record<string, string>;
  readonly token: string;
}

/** signIn makes a fresh user (a unique nickname) through dev login. */
export async function signIn(base: string, nickname: string): Promise<ChatUser> {
  const unique = `${nickname}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const session = await devLogin(base, unique);
  return { id: session.user_id, headers: session.headers, token: session.access_token };
}

/**
 * startChatSystem runs `npm start` (the all-in-one, embedded agent) on the real servers when
 * their URLs are set, with limits high enough for load tests unless `env` says otherwise.
 */
export async function startChatSystem(env: Record<string, string> = {}) {
  const real = Object.fromEntries(
    Object.entries({
      DATABASE_URL: realServers.databaseUrl,
      REDIS_URL: realServers.redisUrl,
      AMQP_URL: realServers.amqpUrl,
    }).filter(([, value]) => value),
  ) as Record<string, string>;
  const processEnv = await allInOneEnv({
    ...real,
    RATE_LIMIT_AUTH_PER_MINUTE: "1000000",
    RATE_LIMIT_USER_PER_MINUTE: "1000000",
    RATE_LIMIT_CHAT_MESSAGES_PER_MINUTE: "1000000",
    ...env,
  });
  const system: RunningProcess = startProcess(["scripts/start.ts"], processEnv);
  const base = `http://localhost:${processEnv.PORT}`;
  await waitUntilReady(system, `${base}/readyz`, 90_000);
  return { system, base, env: processEnv };
}

// biome-ignore lint/suspicious/noExplicitAny: bodies are checked field by field.
type Json = any;

export async function call(
  base: string,
  user: ChatUser,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...user.headers,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    headers: response.headers,
  };
}

/** createChat runs C2 and returns the new chat's id. */
export async function createChat(base: string, user: ChatUser): Promise<string> {
  const created = await call(base, user, "POST", "/api/v1/chat");
  if (created.status !== 201)
    throw new Error(`C2: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id;
}

export interface MessageBody {
  message: string;
  image_url?: string;
  user_location?: { latitude: number; longitude: number };
  model?: string;
}

/** sendMessage runs C6. */
export function sendMessage(base: string, user: ChatUser, chatId: string, body: MessageBody) {
  return call(base, user, "POST", `/api/v1/chat/${chatId}/messages`, body);
}

const ends = (event: ReceivedEvent) => event.event === "done" || event.event === "error";

/** followSse reads a job's SSE stream until done or an error (or `stop`). */
export async function followSse(
  base: string,
  user: ChatUser,
  jobId: string,
  options: {
    lastEventId?: string;
    stop?: (event: ReceivedEvent) => boolean;
    timeoutMs?: number;
  } = {},
): Promise<{ status: number; events: ReceivedEvent[] }> {
  const response = await fetch(`${base}/api/v1/chat/${jobId}/events`, {
    headers: {
      ...user.headers,
      ...(options.lastEventId ? { "last-event-id": options.lastEventId } : {}),
    },
  });
  if (response.status !== 200) return { status: response.status, events: [] };
  const events = await readEvents(response, options.stop ?? ends, options.timeoutMs ?? 60_000);
  return { status: 200, events };
}

/** askOverSse: C6 then the SSE stream to the end. */
export async function askOverSse(base: string, user: ChatUser, chatId: string, body: MessageBody) {
  const sent = await sendMessage(base, user, chatId, body);
  if (sent.status !== 200) throw new Error(`C6: ${sent.status} ${JSON.stringify(sent.body)}`);
  const { events } = await followSse(base, user, sent.body.job_id);
  return { jobId: sent.body.job_id as string, events };
}

/**
 * tokenText is the answer as a client renders it: a token_recovery snapshot (a fresh connection
 * to a job whose tokens began already) and then the tokens after it, or the tokens from 1001.
 * Throws on a duplicate or missing seq.
 */
export function tokenText(events: readonly { event: string; data: Json }[]): string {
  const snapshot = events.find((e) => e.event === "token_recovery")?.data;
  const tokens = events.filter((e) => e.event === "token").map((e) => e.data);
  const first = snapshot ? snapshot.last_seq + 1 : 1001;
  tokens.forEach((token, i) => {
    if (token.seq !== first + i)
      throw new Error(`token ${i} has seq ${token.seq}, expected ${first + i}`);
  });
  return (snapshot?.accumulated ?? "") + tokens.map((t) => t.content).join("");
}

export interface SocketFrame {
  readonly event: string;
  readonly id?: string;
  readonly data: Json;
}

/** ChatSocketClient is one WebSocket, with its frames sorted by job as they arrive. */
export class ChatSocketClient {
  readonly frames: SocketFrame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(base: string, headers: Record<string, string>) {
    this.ws = new WebSocket(`${base.replace(/^http/, "ws")}/api/v1/chat/ws`, {
      headers,
    } as unknown as string[]);
    this.ws.onmessage = (message) => this.frames.push(JSON.parse(String(message.data)));
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error("websocket failed to open"));
    });
    this.closed = new Promise((resolve) => {
      this.ws.onclose = (event) => resolve(event.code);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** next waits for the first frame (from `from` on) that matches. */
  async next(match: (frame: SocketFrame) => boolean, timeoutMs = 60_000, from = 0) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (performance.now() > deadline) {
        throw new Error(
          `no matching frame in ${timeoutMs} ms; saw ${this.frames.map((f) => f.event).join(",")}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** ask sends a message frame and waits for its job to end; returns the job's frames. */
  async ask(
    chatId: string,
    body: MessageBody,
    ref: string = crypto.randomUUID(),
    timeoutMs = 60_000,
  ) {
    this.send({ type: "message", ref, chat_id: chatId, ...body });
    const ack = await this.next(
      (f) => (f.event === "submitted" || f.event === "error") && f.data?.ref === ref,
      timeoutMs,
    );
    if (ack.event === "error") throw new Error(`refused: ${JSON.stringify(ack.data)}`);
    const jobId: string = ack.data.job_id;
    await this.next((f) => f.data?.job_id === jobId && ends(f as ReceivedEvent), timeoutMs);
    return { jobId, events: this.ofJob(jobId) };
  }

  ofJob(jobId: string): SocketFrame[] {
    return this.frames.filter((f) => f.data?.job_id === jobId && f.event !== "submitted");
  }

  close(): void {
    this.ws.close();
  }
}

export function bearerSocket(base: string, user: ChatUser): ChatSocketClient {
  return new ChatSocketClient(base, { authorization: `Bearer ${user.token}` });
}
