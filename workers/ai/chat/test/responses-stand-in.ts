// A local stand-in for the OpenAI Responses API with the hosted web_search tool, in the real wire
// format: POST /v1/responses {model, input, tools:[{type:"web_search"}]} → a response object whose
// `output` holds a `web_search_call` item and a `message` item with an `output_text` part carrying
// `url_citation` annotations. The raw HTTP answer has no `output_text` shortcut (the SDKs add it).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const CITED = {
  url: "https://www.me.go.kr/home/web/board/read.do?boardId=1700000",
  title: "환경부 보도자료: 일회용품 사용 줄이기",
};
export const ANSWER =
  "환경부는 2026년부터 카페 매장 안에서 일회용 플라스틱 컵 사용을 줄이는 방안을 시행한다고 발표했어요.";

export interface ResponsesStandIn {
  /** The API root, e.g. http://127.0.0.1:1234/v1. */
  readonly baseUrl: string;
  readonly requests: { auth: string | undefined; body: Record<string, unknown> }[];
  /** unsupported: the model has no web_search tool (400); missing: no Responses API (404). */
  mode: "ok" | "fail" | "unsupported" | "missing" | "slow";
  close(): void;
}

async function bodyOf(req: IncomingMessage) {
  let text = "";
  for await (const part of req) text += part;
  return JSON.parse(text) as Record<string, unknown>;
}

function completed(body: Record<string, unknown>) {
  const cite = ANSWER.indexOf("환경부");
  return {
    id: "resp_67ccd2bed1ec8190b14f964abc054267",
    object: "response",
    created_at: 1741476542,
    status: "completed",
    error: null,
    incomplete_details: null,
    model: body.model,
    output: [
      {
        type: "web_search_call",
        id: "ws_67ccd2bf3a908190a7e7b2cbcbc8f2ba",
        status: "completed",
        action: { type: "search", query: String(body.input).slice(0, 50) },
      },
      {
        type: "message",
        id: "msg_67ccd2bf17f0819081ff3bb2cf6508e6",
        status: "completed",
        role: "assistant",
        content: [
          {
            type: "output_text",
            text: ANSWER,
            annotations: [
              { type: "url_citation", start_index: cite, end_index: ANSWER.length, ...CITED },
              { type: "url_citation", start_index: 0, end_index: 5, ...CITED },
            ],
          },
        ],
      },
    ],
    tools: body.tools,
    usage: { input_tokens: 320, output_tokens: 60, total_tokens: 380 },
  };
}

const error = (message: string, type: string) => ({
  error: { message, type, param: "tools", code: null },
});

export async function startResponsesStandIn(): Promise<ResponsesStandIn> {
  const state: Omit<ResponsesStandIn, "baseUrl" | "close"> = { requests: [], mode: "ok" };
  const server: Server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    state.requests.push({ auth: req.headers.authorization, body });
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    if (state.mode === "slow") await new Promise((resolve) => setTimeout(resolve, 500));
    if (state.mode === "missing" || req.url !== "/v1/responses") {
      return json(404, error(`Invalid URL (POST ${req.url})`, "invalid_request_error"));
    }
    if (state.mode === "fail") return json(500, error("The server had an error", "server_error"));
    const tools = body.tools as { type?: string }[] | undefined;
    if (state.mode === "unsupported" || !tools?.some((t) => t.type === "web_search")) {
      return json(
        400,
        error("Tool 'web_search' is not supported with this model.", "invalid_request_error"),
      );
    }
    json(200, completed(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () => server.close(),
  });
}
