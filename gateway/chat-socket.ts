// One chat WebSocket (CONTRACT §A.7), whatever the runtime: frames in, SSE's events out, many
// jobs at once. The entry (gateway/server.ts) only moves bytes between the socket and this class.

import { Code, ConnectError } from "@connectrpc/connect";
import { type RequestContext, runWithContext } from "../lib/context/request-context.ts";
import { acceptRequestId, continueTrace } from "../lib/context/traceparent.ts";
import type { Logger } from "../lib/log/create-logger.ts";
import { isApiError } from "./api-error.ts";
import { followChatJob, type QuietJobs, watchChatJob } from "./chat-events.ts";
import type { ChatMessageLimit } from "./chat-message-limit.ts";
import {
  type ClientFrame,
  FrameError,
  type MessageFrame,
  parseClientFrame,
  type WatchFrame,
} from "./chat-socket-frames.ts";
import type { ServiceClients } from "./clients.ts";
import { httpErrorFromRpc } from "./http-status.ts";
import { sendMessageRequest } from "./routes/chat.ts";
import { scanStageEvents } from "./routes/scan-events.ts";
import { JsonText, type SseEvent } from "./sse.ts";

/** What the runtime's socket offers: Bun's `ws.send` result, and close. */
export interface SocketPeer {
  /** Sends a text frame: bytes sent (> 0), -1 queued under back-pressure, 0 dropped (closing). */
  send(text: string): number;
  close(code: number, reason: string): void;
}

/** Who opened the socket, as the session guard found at the upgrade. */
export interface SocketIdentity {
  readonly userId: string;
  readonly authProvider?: string;
  readonly clientIp?: string;
  /** Whether the session that opened the socket still holds (undefined) or why it ended. */
  readonly sessionCheck?: () => string | undefined;
}

/** A socket whose session ended is closed with 1008 (policy violation), after an error frame. */
const SESSION_ENDED_CLOSE = 1008;

export interface ChatSocketOptions {
  readonly clients: Pick<ServiceClients, "chat" | "scan">;
  readonly messageLimit?: ChatMessageLimit;
  readonly log: Logger;
  /** Jobs one socket may follow at once. */
  readonly maxStreams: number;
  /** Largest frame read; bigger ones get a PAYLOAD_TOO_LARGE error frame. */
  readonly maxFrameBytes: number;
  /** A job followed this long ends with a timeout error frame (as SSE's 300 s cap). */
  readonly streamCapMs?: number;
  /** With it, a quiet job holds no RPC stream (gateway/chat-events.ts). */
  readonly quiet?: QuietJobs;
}

/** A server frame: a job's event (as SSE sends it), `submitted`, `pong` or `error`. */
export interface ServerFrame {
  readonly event: string;
  /** The SSE id of a job's event; send it back as `last_event_id` to resume. */
  readonly id?: string;
  readonly data: unknown;
}

/** A stream id before every entry: WatchJob then yields the whole job. */
const FROM_THE_START = "0-0";

type Refusal = { status: number; code: string; detail: string; headers?: Record<string, string> };

/**
 * ChatSocket serves one socket: `message` submits and follows the new job, `watch` follows one of
 * the caller's jobs, `unwatch` stops following, `ping` answers `pong`. Every job's events carry its
 * job_id, so streams of many chats share the socket without crossing. When the socket reports
 * back-pressure, every job stops pulling from its RPC stream until `drain`.
 */
export class ChatSocket {
  readonly #peer: SocketPeer;
  readonly #identity: SocketIdentity;
  readonly #options: ChatSocketOptions;
  readonly #watches = new Map<string, AbortController>();
  /** Streams being opened: they count against maxStreams before they are watched. */
  #opening = 0;
  #paused: { promise: Promise<void>; resume: () => void } | undefined;
  #closed = false;

  constructor(peer: SocketPeer, identity: SocketIdentity, options: ChatSocketOptions) {
    this.#peer = peer;
    this.#identity = identity;
    this.#options = options;
  }

  /** The jobs this socket follows right now. */
  get streams(): number {
    return this.#watches.size;
  }

  /** onMessage handles one client frame; it never throws (refusals become error frames). */
  async onMessage(raw: string | Uint8Array): Promise<void> {
    if (this.checkSession()) return;
    let frame: ClientFrame;
    try {
      frame = parseClientFrame(raw, this.#options.maxFrameBytes);
    } catch (err) {
      this.#refuse(err, {});
      return;
    }
    await runWithContext(this.#frameContext(), () => this.#handle(frame));
  }

  /**
   * checkSession closes the socket when the session that opened it has expired or been revoked
   * (logout), so it never serves past its token; the client refreshes and opens a new one.
   * True when it closed. The runtime's entry also calls it on a timer for quiet sockets.
   */
  checkSession(): boolean {
    const ended = this.#closed ? undefined : this.#identity.sessionCheck?.();
    if (!ended) return false;
    const revoked = ended === "TOKEN_REVOKED";
    this.#send({
      event: "error",
      data: {
        type: "error",
        code: ended,
        message: revoked ? "Token is revoked" : "Token expired",
        status: revoked ? 403 : 401,
      },
    });
    this.onClose();
    this.#peer.close(SESSION_ENDED_CLOSE, ended);
    return true;
  }

  /** onDrain resumes the streams paused by back-pressure. */
  onDrain(): void {
    const paused = this.#paused;
    this.#paused = undefined;
    paused?.resume();
  }

  /** onClose stops every stream of the socket; its RPCs are cancelled. */
  onClose(): void {
    this.#closed = true;
    for (const watch of this.#watches.values()) watch.abort();
    this.#watches.clear();
    this.onDrain();
  }

  async #handle(frame: ClientFrame): Promise<void> {
    const about = { ref: frame.ref };
    try {
      switch (frame.type) {
        case "message":
          return await this.#submit(frame);
        case "watch":
          return await this.#watch(frame);
        case "unwatch":
          this.#watches.get(frame.job_id)?.abort();
          this.#watches.delete(frame.job_id);
          return;
        case "ping":
          this.#send({ event: "pong", data: { ...about } });
          return;
      }
    } catch (err) {
      this.#refuse(err, {
        ...about,
        ...("chat_id" in frame ? { chat_id: frame.chat_id } : {}),
        ...("job_id" in frame ? { job_id: frame.job_id } : {}),
      });
    }
  }

  async #submit(frame: MessageFrame): Promise<void> {
    const request = sendMessageRequest(frame.chat_id, frame);
    // The user's limit first: a flood is told to slow down (with retry_after), whatever else.
    await this.#options.messageLimit?.check(this.#identity.userId);
    await this.#reserveStream(async (signal) => {
      const answer = await this.#options.clients.chat.sendMessage(request, { signal });
      this.#send({
        event: "submitted",
        data: {
          ref: frame.ref,
          job_id: answer.jobId,
          chat_id: frame.chat_id,
          status: answer.status || "submitted",
          stream_url: `/api/v1/chat/${answer.jobId}/events`,
        },
      });
      return {
        jobId: answer.jobId,
        // The client has seen nothing of this job yet: every event, tokens included, from the
        // stream's start (a fresh watch would fold tokens recorded meanwhile into a snapshot).
        events: watchChatJob(
          this.#options.clients,
          { jobId: answer.jobId, lastEventId: FROM_THE_START },
          signal,
          this.#options.quiet,
        ),
      };
    });
  }

  async #watch(frame: WatchFrame): Promise<void> {
    const follow = {
      jobId: frame.job_id,
      lastEventId: frame.last_event_id,
      lastTokenSeq: frame.last_token_seq,
    };
    await this.#reserveStream(async (signal) => ({
      jobId: frame.job_id,
      events: await this.#openJob(follow, signal),
    }));
  }

  /** openJob follows one of the caller's chat jobs or, failing that, scan jobs (§A.7). */
  async #openJob(
    follow: { jobId: string; lastEventId?: string; lastTokenSeq?: number },
    signal: AbortSignal,
  ): Promise<AsyncIterable<SseEvent>> {
    try {
      return await followChatJob(this.#options.clients, follow, signal, this.#options.quiet);
    } catch (err) {
      if (!(err instanceof ConnectError && err.code === Code.NotFound)) throw err;
    }
    const { scan } = this.#options.clients;
    await scan.getScanResult({ jobId: follow.jobId }, { signal });
    return scanStageEvents(
      scan.watchScan({ jobId: follow.jobId, lastEventId: follow.lastEventId ?? "" }, { signal }),
    );
  }

  /**
   * reserveStream holds one of the socket's stream slots while `open` runs, then pumps the job's
   * events. A job already followed on this socket is followed afresh (a resume replaces it).
   */
  async #reserveStream(
    open: (signal: AbortSignal) => Promise<{ jobId: string; events: AsyncIterable<SseEvent> }>,
  ): Promise<void> {
    if (this.#watches.size + this.#opening >= this.#options.maxStreams) {
      throw new FrameError(
        429,
        "TOO_MANY_STREAMS",
        `this socket already follows ${this.#options.maxStreams} jobs; wait for one to finish`,
      );
    }
    const abort = new AbortController();
    this.#opening++;
    let opened: { jobId: string; events: AsyncIterable<SseEvent> };
    try {
      opened = await open(abort.signal);
    } finally {
      this.#opening--;
    }
    if (this.#closed) {
      abort.abort();
      return;
    }
    this.#watches.get(opened.jobId)?.abort();
    this.#watches.set(opened.jobId, abort);
    void this.#pump(opened.jobId, opened.events, abort);
  }

  async #pump(jobId: string, events: AsyncIterable<SseEvent>, abort: AbortController) {
    const cap = setTimeout(() => {
      this.#send({
        event: "error",
        data: {
          type: "error",
          error: "timeout",
          job_id: jobId,
          message: "Maximum wait time exceeded",
        },
      });
      abort.abort();
    }, this.#options.streamCapMs ?? 300_000);
    try {
      for await (const event of events) {
        // Not pulling the next event is what pushes back on the RPC stream.
        if (this.#paused) await this.#paused.promise;
        if (abort.signal.aborted) break;
        this.#send({ event: event.event, id: event.id, data: event.data });
      }
    } catch (err) {
      if (!abort.signal.aborted) {
        const refusal = refusalOf(err);
        this.#send({
          event: "error",
          data: {
            type: "error",
            error: "temporary",
            job_id: jobId,
            code: refusal.code,
            message: refusal.detail,
          },
        });
      }
    } finally {
      clearTimeout(cap);
      if (this.#watches.get(jobId) === abort) this.#watches.delete(jobId);
    }
  }

  #send(frame: ServerFrame): void {
    if (this.#closed) return;
    const result = this.#peer.send(frameText(frame));
    if (result === 0) {
      // Dropped (the socket is closing, or its buffer is past the limit): the client has missed
      // a frame, so it must reconnect and resume rather than read a stream with a hole in it.
      this.onClose();
      this.#peer.close(1013, "send buffer full; reconnect and resume");
    } else if (result < 0 && !this.#paused) {
      let resume = () => {};
      const promise = new Promise<void>((resolve) => (resume = resolve));
      this.#paused = { promise, resume };
    }
  }

  #refuse(err: unknown, about: { ref?: string; chat_id?: string; job_id?: string }): void {
    const refusal = refusalOf(err);
    if (refusal.status >= 500) this.#options.log.warn({ err }, "chat socket frame failed");
    const retryAfter = refusal.headers?.["retry-after"];
    this.#send({
      event: "error",
      data: {
        type: "error",
        code: refusal.code,
        message: refusal.detail,
        status: refusal.status,
        ...(err instanceof FrameError && err.ref !== undefined ? { ref: err.ref } : {}),
        ...about,
        ...(retryAfter ? { retry_after: Number(retryAfter) } : {}),
      },
    });
  }

  /** Each frame is its own request: a new request id and trace, the socket's user. */
  #frameContext(): RequestContext {
    const trace = continueTrace(null);
    return {
      requestId: acceptRequestId(null),
      traceparent: trace.traceparent,
      traceId: trace.traceId,
      userId: this.#identity.userId,
      authProvider: this.#identity.authProvider,
      clientIp: this.#identity.clientIp,
    };
  }
}

function refusalOf(err: unknown): Refusal {
  if (isApiError(err)) {
    return { status: err.status, code: err.code, detail: err.detail, headers: err.headers };
  }
  if (err instanceof ConnectError) return httpErrorFromRpc(err);
  return { status: 500, code: "INTERNAL_ERROR", detail: "internal error" };
}

/** frameText is the frame's JSON; data that is JSON text already goes in as is. */
function frameText(frame: ServerFrame): string {
  if (!(frame.data instanceof JsonText)) return JSON.stringify(frame);
  const id = frame.id === undefined ? "" : `,"id":${JSON.stringify(frame.id)}`;
  return `{"event":${JSON.stringify(frame.event)}${id},"data":${frame.data.text}}`;
}
