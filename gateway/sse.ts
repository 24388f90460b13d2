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

export function sseFrame(event: SseEvent): Uint8Array {
  const id = event.id === undefined ? "" : `id: ${event.id}\n`;
  return encoder.encode(`event: ${event.event}\n${id}data: ${JSON.stringify(event.data)}\n\n`);
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
  const keepaliveMs = options.keepaliveMs ?? 15_000;
  const capMs = options.capMs ?? 300_000;
  let keepalive: ReturnType<typeof setInterval> | undefined;
  let cap: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    clearInterval(keepalive);
    clearTimeout(cap);
    abort.abort();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let lastSent = Date.now();
      const send = (event: SseEvent) => {
        lastSent = Date.now();
        controller.enqueue(sseFrame(event));
      };
      keepalive = setInterval(
        () => {
          if (Date.now() - lastSent >= keepaliveMs)
            send({ event: "keepalive", data: { timestamp: "" } });
        },
        Math.min(keepaliveMs, 1000),
      );
      cap = setTimeout(() => {
        send(TIMEOUT_EVENT);
        stop();
        controller.close();
      }, capMs);
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
