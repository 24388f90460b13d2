// Web search through the OpenAI Responses API's hosted `web_search` tool: POST <base>/responses
// with {model, input, tools: [{type: "web_search"}]}. The answer's `output` holds a
// `web_search_call` item and a `message` item whose `output_text` parts carry the text and
// `url_citation` annotations ({url, title, start_index, end_index}).
import type { WebAnswer, WebCitation, WebSearchPort } from "../ports.ts";
import { ProviderError } from "./openai-chat.ts";

export interface OpenAiWebSearchOptions {
  /** The API root, e.g. `https://api.openai.com/v1`; `/responses` is appended. */
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly model: string;
  /** Deadline of the whole call: a search takes longer than a plain completion. */
  readonly timeoutMs: number;
}

const INSTRUCTIONS =
  "웹을 검색해서 한국어로 3~5문장 안에 사실만 답해. 출처가 된 페이지를 인용해. 모르면 모른다고 말해.";

interface ContentPart {
  type?: string;
  text?: string;
  annotations?: { type?: string; url?: string; title?: string }[];
}

interface ResponseBody {
  status?: string;
  error?: { message?: string } | null;
  output_text?: string;
  output?: { type?: string; content?: ContentPart[] }[];
}

function textParts(body: ResponseBody): ContentPart[] {
  return (body.output ?? [])
    .filter((item) => item.type === "message")
    .flatMap((item) => item.content ?? [])
    .filter((part) => part.type === "output_text");
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** The cited pages (http(s) only), each once, in the order the answer cites them. */
function citations(parts: ContentPart[]): WebCitation[] {
  const seen = new Map<string, WebCitation>();
  for (const part of parts) {
    for (const a of part.annotations ?? []) {
      const host = a.url && /^https?:/i.test(a.url) ? hostOf(a.url) : undefined;
      if (a.type !== "url_citation" || !a.url || !host || seen.has(a.url)) continue;
      seen.set(a.url, { url: a.url, title: a.title?.trim() || host });
    }
  }
  return [...seen.values()];
}

export function answerOf(body: ResponseBody): WebAnswer {
  if (body.error?.message) throw new ProviderError(`the search failed: ${body.error.message}`);
  const parts = textParts(body);
  // `output_text` is the SDKs' convenience; the HTTP answer may or may not carry it.
  const text = (body.output_text ?? parts.map((p) => p.text ?? "").join("")).trim();
  if (!text) throw new ProviderError(`the search answer is empty (status ${body.status ?? "?"})`);
  return { text, citations: citations(parts) };
}

export function createOpenAiWebSearch(options: OpenAiWebSearchOptions): WebSearchPort {
  return {
    async search(question) {
      const response = await fetch(`${options.baseUrl.replace(/\/+$/, "")}/responses`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: options.model,
          instructions: INSTRUCTIONS,
          input: question,
          tools: [{ type: "web_search" }],
        }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!response.ok) {
        // 404: no Responses API here; 400: the model or provider has no web_search tool.
        const text = (await response.text()).slice(0, 200);
        throw new ProviderError(`the search provider answered HTTP ${response.status}: ${text}`);
      }
      return answerOf((await response.json()) as ResponseBody);
    },
  };
}
