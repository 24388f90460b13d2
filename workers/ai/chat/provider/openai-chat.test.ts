import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { llmComposer } from "../compose/composer.ts";
import { classifyTurn } from "../intent/classify-turn.ts";
import { createOpenAiChat } from "./openai-chat.ts";

// A local stand-in for an OpenAI-compatible server: chat/completions as JSON, or (stream: true) as
// server-sent events in the real wire format, one `data: {chunk}\n\n` per delta, then `data: [DONE]`.
let server: Server;
let baseUrl: string;
const requests: { auth: string | undefined; body: Record<string, unknown> }[] = [];
let mode: "ok" | "fail" | "cut" = "ok";

function chunk(content: string) {
  return `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
}

async function bodyOf(req: IncomingMessage) {
  let text = "";
  for await (const part of req) text += part;
  return JSON.parse(text) as Record<string, unknown>;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    requests.push({ auth: req.headers.authorization, body });
    if (mode === "fail" || req.url !== "/v1/chat/completions") {
      res.writeHead(503).end("overloaded");
      return;
    }
    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      const content = JSON.stringify({ intents: ["waste", "collection_point"] });
      res.end(
        JSON.stringify({
          id: "c0",
          object: "chat.completion",
          choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: "assistant" } }] })}\n\n`,
    );
    for (const piece of ["안녕하세요, ", "이코", "예요! ", "페트병은 라벨을 떼요."]) {
      res.write(chunk(piece));
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (mode === "cut") {
        res.destroy();
        return;
      }
    }
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => server.close());

const provider = () =>
  createOpenAiChat({ baseUrl, apiKey: "sk-test", model: "test-model", timeoutMs: 2000 });
const input = {
  message: "페트병은 어떻게 버려?",
  intents: ["waste" as const],
  findings: [
    {
      intent: "waste" as const,
      found: true,
      facts: ["무색페트병 규정: 라벨을 뗍니다."],
      result: {},
    },
  ],
  history: [],
};

describe("the OpenAI-compatible provider", () => {
  it("streams the server's tokens one delta at a time, with the persona and facts in the prompt", async () => {
    mode = "ok";
    const pieces: string[] = [];
    for await (const piece of llmComposer(provider(), () => {})(input)) pieces.push(piece);
    expect(pieces).toEqual(["안녕하세요, ", "이코", "예요! ", "페트병은 라벨을 떼요."]);
    const sent = requests.at(-1)!;
    expect(sent.auth).toBe("Bearer sk-test");
    expect(sent.body).toMatchObject({ model: "test-model", stream: true });
    const messages = sent.body.messages as { role: string; content: string }[];
    expect(messages[0]!.content).toContain("이코");
    expect(messages[0]!.content).toContain("무색페트병 규정");
    expect(messages.at(-1)).toEqual({ role: "user", content: "페트병은 어떻게 버려?" });
  });

  it("classifies intents with a structured (json_schema) answer", async () => {
    mode = "ok";
    const turn = await classifyTurn("종이 버리는 법이랑 근처 수거함도 알려줘", [], provider());
    expect(turn).toEqual({ intents: ["waste", "collection_point"], source: "llm" });
    const format = requests.at(-1)!.body.response_format as {
      type: string;
      json_schema: { strict: boolean };
    };
    expect(format.type).toBe("json_schema");
    expect(format.json_schema.strict).toBe(true);
  });

  it("falls back to the embedded classifier and composer when the provider fails", async () => {
    mode = "fail";
    const errors: unknown[] = [];
    const turn = await classifyTurn("소파 버리려면?", [], provider(), (err) => errors.push(err));
    expect(turn).toEqual({ intents: ["bulk_waste"], source: "embedded" });
    let text = "";
    for await (const piece of llmComposer(provider(), (err) => errors.push(err))(input))
      text += piece;
    expect(text).toContain("무색페트병 규정: 라벨을 뗍니다.");
    expect(errors).toHaveLength(2);
    expect(String(errors[1])).toContain("503");
  });

  it("a stream cut before [DONE] keeps what was said and follows with the embedded facts", async () => {
    mode = "cut";
    const errors: unknown[] = [];
    let text = "";
    for await (const piece of llmComposer(provider(), (err) => errors.push(err))(input))
      text += piece;
    expect(text.startsWith("안녕하세요, ")).toBe(true);
    expect(text).toContain("무색페트병 규정");
    expect(errors).toHaveLength(1);
  });
});
