// An OpenAI-compatible chat/completions client for the chat agent: one structured (JSON schema)
// completion, and a streamed completion read from the server-sent events wire format
// (`data: {json}\n\n` chunks ending with `data: [DONE]`).
import type { ChatTurn, LlmPort } from "../ports.ts";

export interface OpenAiChatOptions {
  /** The API root, e.g. `https://api.openai.com/v1`; `/chat/completions` is appended. */
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly model: string;
  /** Deadline of a JSON completion, and of the wait for a stream's first byte. */
  readonly timeoutMs: number;
}

export class ProviderError extends Error {}

async function post(
  options: OpenAiChatOptions,
  body: object,
  signal: AbortSignal,
): Promise<Response> {
  const response = await fetch(`${options.baseUrl.replace(/\/+$/, "")}/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    },
    body: JSON.stringify({ model: options.model, ...body }),
    signal,
  });
  if (!response.ok) {
    throw new ProviderError(
      `the provider answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`,
    );
  }
  return response;
}

/** sseData yields the `data:` payloads of an event stream, one per event. */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true }).replace(/\r\n/g, "\n");
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data) yield data;
      end = buffer.indexOf("\n\n");
    }
  }
}

function deltaOf(data: string): string {
  const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[] };
  return chunk.choices?.[0]?.delta?.content ?? "";
}

export function createOpenAiChat(options: OpenAiChatOptions): LlmPort {
  return {
    async json(turns: readonly ChatTurn[], schemaName: string, schema: object) {
      const response = await post(
        options,
        {
          messages: turns,
          response_format: {
            type: "json_schema",
            json_schema: { name: schemaName, strict: true, schema },
          },
        },
        AbortSignal.timeout(options.timeoutMs),
      );
      const completion = (await response.json()) as {
        choices?: { message?: { content?: string | null } }[];
      };
      const content = completion.choices?.[0]?.message?.content;
      if (!content) throw new ProviderError("the provider's answer is empty");
      return JSON.parse(content);
    },
    async *stream(turns: readonly ChatTurn[]) {
      const abort = new AbortController();
      const firstByte = setTimeout(
        () => abort.abort(new ProviderError("no answer in time")),
        options.timeoutMs,
      );
      try {
        const response = await post(options, { messages: turns, stream: true }, abort.signal);
        clearTimeout(firstByte);
        if (!response.body) throw new ProviderError("the provider sent no stream");
        let finished = false;
        for await (const data of sseData(response.body)) {
          if (data === "[DONE]") {
            finished = true;
            break;
          }
          const delta = deltaOf(data);
          if (delta) yield delta;
        }
        if (!finished) throw new ProviderError("the stream ended before [DONE]");
      } finally {
        clearTimeout(firstByte);
        abort.abort();
      }
    },
  };
}
