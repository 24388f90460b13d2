// Reads a text/event-stream the way EventSource does: frames of `event:`, `id:` and `data:` lines.

export interface ReceivedEvent {
  readonly event: string;
  readonly id?: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are checked field by field by the tests.
  readonly data: any;
}

/**
 * readEvents collects frames until `stop` says so, the stream ends, or `timeoutMs` passes (then
 * it throws with what it saw).
 */
export async function readEvents(
  response: Response,
  stop: (event: ReceivedEvent) => boolean,
  timeoutMs = 30_000,
): Promise<ReceivedEvent[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: ReceivedEvent[] = [];
  let buffer = "";
  const deadline = setTimeout(() => reader.cancel().catch(() => {}), timeoutMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return events;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const event = parseFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        events.push(event);
        if (stop(event)) return events;
        end = buffer.indexOf("\n\n");
      }
    }
  } finally {
    clearTimeout(deadline);
    await reader.cancel().catch(() => {});
  }
}

function parseFrame(frame: string): ReceivedEvent {
  const fields: Record<string, string> = {};
  for (const line of frame.split("\n")) {
    const at = line.indexOf(": ");
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 2);
  }
  return {
    event: fields.event ?? "message",
    id: fields.id,
    data: fields.data ? JSON.parse(fields.data) : undefined,
  };
}
