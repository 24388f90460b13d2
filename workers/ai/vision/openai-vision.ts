import { Buffer } from "node:buffer";
import { Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { Logger } from "../../../lib/log/index.ts";
import { parseVisionAnswer, visionAnswerJsonSchema } from "./vision-answer.ts";
import { VisionError } from "./vision-error.ts";
import type { VisionInput, VisionPort, VisionResult } from "./vision-port.ts";
import { DEFAULT_QUESTION, visionSystemPrompt } from "./vision-prompt.ts";
import { loadWasteTaxonomy } from "./waste-taxonomy.ts";

export interface OpenAiVisionOptions {
  /** The API root, e.g. `https://api.openai.com/v1` or a vLLM/Ollama `/v1`; `/chat/completions` is appended. */
  readonly baseUrl: string;
  /** Sent as a Bearer token when set (local servers often need none). */
  readonly apiKey?: string;
  /** The model name the server knows. */
  readonly model: string;
  /** One request's deadline in milliseconds (30 000, half the stage's 60 s soft limit). */
  readonly timeoutMs?: number;
}

/** The part of a chat/completions response we read; the rest of the object is ignored. */
const ChatCompletion = Type.Object({
  choices: Type.Array(
    Type.Object({
      message: Type.Object({
        content: Type.Union([Type.String(), Type.Null()]),
        refusal: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      }),
    }),
    { minItems: 1 },
  ),
});

/**
 * createOpenAiVision asks an OpenAI-compatible chat/completions API (any base URL) to classify the
 * photo, sent inline as a data URL with `detail: "low"`, and accepts only a structured answer that
 * fits the taxonomy. Timeouts, network errors, 429 and 5xx reject as transient VisionErrors; other
 * statuses and invalid answers reject as `provider_rejected` and `invalid_answer`.
 */
export function createOpenAiVision(log: Logger, options: OpenAiVisionOptions): VisionPort {
  const taxonomy = loadWasteTaxonomy();
  const system = visionSystemPrompt(taxonomy);
  const url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    async classify(input: VisionInput): Promise<VisionResult> {
      const started = performance.now();
      const body = requestBody(input.model ?? options.model, system, input);
      const completion = await post(url, options.apiKey, body, timeoutMs);
      const result = parseVisionAnswer(messageContent(completion), taxonomy);
      log.debug(
        { ms: Math.round(performance.now() - started), model: options.model },
        "vision answered",
      );
      return result;
    },
    async warmUp() {},
    async close() {},
  };
}

function requestBody(model: string, system: string, input: VisionInput): Record<string, unknown> {
  const image = `data:${input.contentType};base64,${Buffer.from(input.image).toString("base64")}`;
  const question = input.userInput?.trim() || DEFAULT_QUESTION;
  return {
    model,
    messages: [
      { role: "system", content: system },
      {
        role: "user",
        content: [
          { type: "text", text: `사용자 입력: ${question}` },
          { type: "image_url", image_url: { url: image, detail: "low" } },
        ],
      },
    ],
    response_format: {
      type: "json_schema",
      json_schema: { name: "waste_classification", strict: true, schema: visionAnswerJsonSchema() },
    },
  };
}

async function post(
  url: string,
  apiKey: string | undefined,
  body: Record<string, unknown>,
  timeoutMs: number,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw statusError(response.status, await response.text());
    return await response.json();
  } catch (error) {
    throw asVisionError(error, timeoutMs);
  }
}

function statusError(status: number, text: string): VisionError {
  const message = `the provider answered HTTP ${status}: ${text.slice(0, 200)}`;
  const transient = status === 429 || status >= 500;
  return new VisionError(transient ? "provider_unavailable" : "provider_rejected", message);
}

/** A timeout may surface while waiting for headers or for the body; both are the same failure. */
function asVisionError(error: unknown, timeoutMs: number): VisionError {
  if (error instanceof VisionError) return error;
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") {
    return new VisionError("provider_timeout", `no answer within ${timeoutMs} ms`, {
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new VisionError("invalid_answer", "the response is not JSON", { cause: error });
  }
  return new VisionError("provider_unavailable", "the provider could not be reached", {
    cause: error,
  });
}

function messageContent(completion: unknown): string {
  if (!Value.Check(ChatCompletion, completion)) {
    throw new VisionError("invalid_answer", "the response is not a chat completion");
  }
  const message = completion.choices[0]!.message;
  if (message.refusal)
    throw new VisionError("invalid_answer", `the model refused: ${message.refusal}`);
  if (!message.content) throw new VisionError("invalid_answer", "the answer is empty");
  return message.content;
}
