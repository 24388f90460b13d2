// How a chat answer reaches the page: one WebSocket for every chat (CONTRACT §A.7), and, when the
// socket cannot open, C6 plus the job's SSE stream (§2.3). Both deliver the same events.
import { call, readableError } from "./api.ts";

/** One stream event: the SSE event name and its data. */
export interface ChatEvent {
  readonly event: string;
  readonly id?: string;
  readonly data: Record<string, unknown>;
}

export type OnEvent = (event: ChatEvent) => void;

export interface OutgoingMessage {
  readonly chat_id: string;
  readonly message: string;
  readonly user_location?: { latitude: number; longitude: number };
}

interface Submitted {
  job_id: string;
  stream_url: string;
}

/** The events after which a job sends nothing more. */
export function endsJob(event: ChatEvent): boolean {
  return event.event === "done" || event.event === "error";
}

interface PendingSend {
  readonly onEvent: OnEvent;
  readonly resolve: (jobId: string) => void;
  readonly reject: (err: Error) => void;
}

/**
 * ChatChannel keeps one WebSocket open and routes each frame to the job it belongs to. A message
 * is acknowledged by a `submitted` frame naming its job; events follow with the job id in data.
 */
export class ChatChannel {
  private socket: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private readonly jobs = new Map<string, OnEvent>();
  /** Messages sent and not yet acknowledged, by the `ref` the server echoes back. */
  private readonly pending = new Map<string, PendingSend>();
  private nextRef = 1;

  /** send submits a message and streams its job's events; resolves to the job id. */
  async send(message: OutgoingMessage, onEvent: OnEvent): Promise<string> {
    const socket = await this.open().catch(() => undefined);
    if (!socket) return sendOverHttp(message, onEvent);
    return new Promise((resolve, reject) => {
      const ref = `m${this.nextRef++}`;
      this.pending.set(ref, { onEvent, resolve, reject });
      socket.send(JSON.stringify({ type: "message", ref, ...message }));
    });
  }

  /** watch follows a job already submitted (after a reload): replay, snapshot, then live. */
  async watch(jobId: string, onEvent: OnEvent): Promise<void> {
    const socket = await this.open().catch(() => undefined);
    if (!socket) return watchOverSse(`/api/v1/chat/${jobId}/events`, onEvent);
    this.jobs.set(jobId, onEvent);
    socket.send(JSON.stringify({ type: "watch", job_id: jobId }));
  }

  private open(): Promise<WebSocket> {
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    this.opening ??= new Promise<WebSocket>((resolve, reject) => {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const socket = new WebSocket(`${scheme}//${location.host}/api/v1/chat/ws`);
      socket.onopen = () => {
        this.socket = socket;
        resolve(socket);
      };
      socket.onerror = () => reject(new Error("websocket failed"));
      socket.onmessage = (frame) => this.route(JSON.parse(String(frame.data)) as ChatEvent);
      socket.onclose = () => this.closed();
    }).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private route(frame: ChatEvent): void {
    const jobId = typeof frame.data?.job_id === "string" ? frame.data.job_id : undefined;
    const ref = typeof frame.data?.ref === "string" ? frame.data.ref : undefined;
    const waiting = ref ? this.pending.get(ref) : undefined;
    if (waiting && ref) {
      this.pending.delete(ref);
      // The acknowledgement names the job; an error about the message means it never became one.
      if (frame.event === "submitted" && jobId) {
        this.jobs.set(jobId, waiting.onEvent);
        waiting.resolve(jobId);
      } else {
        waiting.reject(frameError(frame));
      }
      return;
    }
    const onEvent = jobId ? this.jobs.get(jobId) : undefined;
    if (!onEvent || !jobId) return;
    onEvent(frame);
    if (endsJob(frame)) this.jobs.delete(jobId);
  }

  /** A dropped socket fails what waits on it; the page reloads history or resumes by job id. */
  private closed(): void {
    this.socket = undefined;
    for (const waiting of this.pending.values()) waiting.reject(new Error("연결이 끊겼어요."));
    this.pending.clear();
    for (const [jobId, onEvent] of this.jobs) {
      onEvent({ event: "error", data: { job_id: jobId, error: "connection_reset" } });
    }
    this.jobs.clear();
  }
}

/** An error frame reads like an error body: its code picks the Korean message. */
function frameError(frame: ChatEvent): Error {
  const status = typeof frame.data?.status === "number" ? frame.data.status : 400;
  return readableError(status, { code: frame.data?.code, detail: frame.data?.message });
}

async function sendOverHttp(message: OutgoingMessage, onEvent: OnEvent): Promise<string> {
  const { chat_id, ...body } = message;
  const submitted = await call<Submitted>("POST", `/api/v1/chat/${chat_id}/messages`, body);
  void watchOverSse(`/api/v1/chat/${submitted.job_id}/events`, onEvent);
  return submitted.job_id;
}

/** Every event name §2.3 gives a chat stream (an EventSource hears only names it listens for). */
const SSE_EVENTS = [
  "queued",
  "intent",
  "vision",
  "waste_rag",
  "character",
  "location",
  "kakao_place",
  "bulk_waste",
  "weather",
  "recyclable_price",
  "collection_point",
  "web_search",
  "image_generation",
  "general",
  "aggregator",
  "feedback",
  "summarize",
  "answer",
  "eval",
  "needs_input",
  "token",
  "token_recovery",
  "done",
];

function watchOverSse(url: string, onEvent: OnEvent): Promise<void> {
  return new Promise((resolve) => {
    const source = new EventSource(url, { withCredentials: true });
    const deliver = (name: string) => (message: Event) => {
      const { data, lastEventId } = message as MessageEvent;
      if (typeof data !== "string") return;
      const event = { event: name, id: lastEventId, data: JSON.parse(data) };
      onEvent(event);
      if (endsJob(event)) {
        source.close();
        resolve();
      }
    };
    for (const name of SSE_EVENTS) source.addEventListener(name, deliver(name));
    source.addEventListener("error", (message) => {
      if (typeof (message as MessageEvent).data === "string") return deliver("error")(message);
      // A bare error is a lost connection; EventSource reconnects with Last-Event-ID by itself.
    });
  });
}
