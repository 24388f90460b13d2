// Server-sent events as the contract frames them (CONTRACT §2.3): `event:`, `id:`, `data:` lines,
// a keepalive while idle, and a hard cap after which the stream ends with a timeout error.

export interface SseEvent {
  readonly event: string;
  readonly id?: string;
  readonly data: unknown;
}

export interface SseOptions {
  /** A keepalive frame after this much silence. Default 15 s. */
  readonly keepaliveMs?: number;
  /** The stream ends after this long with an `error` event. Default 300 s. */
  readonly capMs?: number;
}

const encoder = new TextEncoder();

/**
 * JsonText is event data that is JSON text already (a chat event as the chat service recorded
 * it): frames carry it as is, instead of parsing it to write it out again (~8 % of the gateway's
 * CPU while it streams answers). Anything that reads it as a value gets it parsed.
 */
export class JsonText {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** jsonOf is JSON.stringify that passes JsonText through. */
export function jsonOf(value: unknown): string {
  return value instanceof JsonText ? value.text : JSON.stringify(value);
}

export function sseFrame(event: SseEvent): Uint8Array {
  const id = event.id === undefined ? "" : `id: ${event.id}\n`;
  return encoder.encode(`event: ${event.event}\n${id}data: ${jsonOf(event.data)}\n\n`);
}

const TIMEOUT_EVENT: SseEvent = {
  event: "error",
  data: { type: "error", error: "timeout", message: "Maximum wait time exceeded" },
};

/**
 * sseResponse streams `source` to the client. When the client goes away, `abort` is called, so the
 * RPC feeding the stream ends too; when the source ends, the stream closes.
 */
export function sseResponse(
  source: AsyncIterable<SseEvent>,
  abort: AbortController,
  options: SseOptions = {},
): Response {
  let open: OpenStream | undefined;
  const stop = () => {
    if (open) openStreams.forget(open);
    abort.abort();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: SseEvent) => {
        if (open) open.lastSent = Date.now();
        controller.enqueue(sseFrame(event));
      };
      open = {
        lastSent: Date.now(),
        deadline: Date.now() + (options.capMs ?? 300_000),
        keepaliveMs: options.keepaliveMs ?? 15_000,
        send,
        expire() {
          send(TIMEOUT_EVENT);
          stop();
          controller.close();
        },
      };
      openStreams.watch(open);
      void pump(source, send, abort.signal).then(
        () => {
          if (abort.signal.aborted) return;
          stop();
          controller.close();
        },
        (err: unknown) => {
          if (abort.signal.aborted) return;
          send({
            event: "error",
            data: {
              type: "error",
              error: "temporary",
              message: String((err as Error)?.message ?? err),
            },
          });
          stop();
          controller.close();
        },
      );
    },
    cancel: stop,
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}

/** An open stream as the shared ticker sees it. */
interface OpenStream {
  lastSent: number;
  /** When the stream ends with a timeout error (its cap). */
  readonly deadline: number;
  readonly keepaliveMs: number;
  readonly send: (event: SseEvent) => void;
  readonly expire: () => void;
}

const KEEPALIVE: SseEvent = { event: "keepalive", data: { timestamp: "" } };

/**
 * OpenStreams sends every open stream its keepalives and ends it at its cap from one timer. A
 * timer per stream (and one more for the cap) cost each idle stream two timers and their
 * closures, and ten thousand idle streams ten thousand timer callbacks a second.
 */
class OpenStreams {
  readonly #open = new Set<OpenStream>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #periodMs = Number.POSITIVE_INFINITY;

  watch(stream: OpenStream): void {
    this.#open.add(stream);
    // Checked at least every second, and often enough for the tightest keepalive or cap.
    const periodMs = Math.max(10, Math.min(1000, stream.keepaliveMs, stream.deadline - Date.now()));
    if (this.#timer !== undefined && periodMs >= this.#periodMs) return;
    clearInterval(this.#timer);
    this.#periodMs = periodMs;
    this.#timer = setInterval(() => this.#tick(), periodMs);
  }

  forget(stream: OpenStream): void {
    this.#open.delete(stream);
    if (this.#open.size > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#periodMs = Number.POSITIVE_INFINITY;
  }

  #tick(): void {
    const now = Date.now();
    for (const stream of this.#open) {
      try {
        if (now >= stream.deadline) stream.expire();
        else if (now - stream.lastSent >= stream.keepaliveMs) stream.send(KEEPALIVE);
      } catch {
        // A stream closed under us (its client left first): the others still get their turn.
        this.forget(stream);
      }
    }
  }
}

const openStreams = new OpenStreams();

async function pump(
  source: AsyncIterable<SseEvent>,
  send: (event: SseEvent) => void,
  signal: AbortSignal,
) {
  for await (const event of source) {
    if (signal.aborted) return;
    send(event);
  }
}
