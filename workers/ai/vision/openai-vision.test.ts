import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "../../../lib/log/index.ts";
import { createVision } from "./create-vision.ts";
import { createOpenAiVision } from "./openai-vision.ts";
import type { VisionInput } from "./vision-port.ts";

/**
 * A local stand-in for an OpenAI-compatible server: POST /v1/chat/completions answering in the real
 * wire format. `next` says how to answer the next request; every request is kept for inspection.
 */
type Reply =
  | { kind: "answer"; content: unknown }
  | { kind: "status"; status: number }
  | { kind: "hang" };

let next: Reply = { kind: "status", status: 500 };
const requests: { path: string; auth?: string; body: Record<string, unknown> }[] = [];
let server: Server;
let baseUrl: string;

function completion(content: string) {
  return {
    id: "chatcmpl-stand-in",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "stand-in",
    choices: [
      { index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop" },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  requests.push({
    path: req.url ?? "",
    auth: req.headers.authorization,
    body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
  });
  if (next.kind === "hang") return; // never answers; the client's deadline must end the call
  if (next.kind === "status") {
    res.writeHead(next.status, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: "stand-in failure", type: "server_error" } }));
    return;
  }
  const content = typeof next.content === "string" ? next.content : JSON.stringify(next.content);
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(completion(content)));
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const log = createLogger({ service: "ai", level: "silent" });
const photo: VisionInput = {
  image: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
  contentType: "image/jpeg",
  userInput: "투명 페트병이에요",
};
const answer = (major: string, middle: string, minor: string | null, tags: string[] = []) => ({
  kind: "answer" as const,
  content: {
    classification: { major_category: major, middle_category: middle, minor_category: minor },
    situation_tags: tags,
    confidence: 0.8,
  },
});
const vision = () =>
  createOpenAiVision(log, { baseUrl, apiKey: "sk-test", model: "gpt-5.2", timeoutMs: 300 });

describe("OpenAI-compatible vision provider", () => {
  it("sends the photo, the user's words and the answer schema, and takes a valid answer", async () => {
    next = answer("재활용폐기물", "무색페트병", "먹는샘물PET병", [
      "비닐_라벨_부착",
      "뚜껑_분리_필요",
    ]);
    const result = await vision().classify(photo);
    expect(result).toEqual({
      classification: { major: "재활용폐기물", middle: "무색페트병", minor: "먹는샘물PET병" },
      situationTags: ["비닐_라벨_부착", "뚜껑_분리_필요"],
      confidence: 0.8,
      detections: [],
      unclassified: false,
      source: "provider",
    });
    const sent = requests.at(-1)!;
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.auth).toBe("Bearer sk-test");
    expect(sent.body.model).toBe("gpt-5.2");
    const [system, user] = sent.body.messages as { content: unknown }[];
    expect(system!.content).toContain("재활용폐기물 > 무색페트병");
    expect(user!.content).toEqual([
      { type: "text", text: "사용자 입력: 투명 페트병이에요" },
      {
        type: "image_url",
        image_url: { url: "data:image/jpeg;base64,/9j/4AECAw==", detail: "low" },
      },
    ]);
    expect(sent.body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "waste_classification", strict: true },
    });
  });

  it("uses the scan's model when it names one, and free text or null as minor", async () => {
    next = answer("일반종량제폐기물", "일반종량제폐기물", null);
    const result = await vision().classify({ ...photo, model: "gemini-2.5-flash" });
    expect(requests.at(-1)!.body.model).toBe("gemini-2.5-flash");
    expect(result.classification).toEqual({
      major: "일반종량제폐기물",
      middle: "일반종량제폐기물",
      minor: "",
    });
  });

  it("turns a 미분류 answer into an unclassified result with advice", async () => {
    next = answer("미분류", "미분류", null);
    const result = await vision().classify(photo);
    expect(result).toMatchObject({ unclassified: true, situationTags: ["미분류_전체"] });
    expect(result.advice).toContain("다시 찍어");
  });

  it("fails the stage on answers outside the taxonomy, the schema or JSON", async () => {
    const invalid = [
      answer("재활용폐기물", "스티로폼", null), // a middle that does not exist
      answer("일반종량제폐기물", "종이", null), // a flat major with another middle
      answer("재활용폐기물", "종이", "책자", ["아주_깨끗함"]), // an unknown tag
      { kind: "answer" as const, content: { classification: { major_category: "재활용폐기물" } } },
      { kind: "answer" as const, content: "재활용폐기물/종이 입니다" },
    ];
    for (const reply of invalid) {
      next = reply;
      await expect(vision().classify(photo)).rejects.toMatchObject({
        name: "VisionError",
        code: "invalid_answer",
      });
    }
  });

  it("fails on a timeout and on server errors as transient, on a refused request as final", async () => {
    next = { kind: "hang" };
    const started = performance.now();
    await expect(vision().classify(photo)).rejects.toMatchObject({
      code: "provider_timeout",
      transient: true,
    });
    expect(performance.now() - started).toBeLessThan(3_000);
    next = { kind: "status", status: 503 };
    await expect(vision().classify(photo)).rejects.toMatchObject({
      code: "provider_unavailable",
      transient: true,
    });
    next = { kind: "status", status: 401 };
    await expect(vision().classify(photo)).rejects.toMatchObject({
      code: "provider_rejected",
      transient: false,
    });
  });

  it("fails as unavailable when nothing listens", async () => {
    const closed = createOpenAiVision(log, { baseUrl: "http://127.0.0.1:9/v1", model: "m" });
    await expect(closed.classify(photo)).rejects.toMatchObject({ code: "provider_unavailable" });
  });
});

describe("createVision", () => {
  it("uses the provider when a key is set, the embedded detector otherwise", async () => {
    next = answer("재활용폐기물", "유리병", "소주병");
    const settings = { OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: "ollama", OPENAI_MODEL: "local" };
    const provider = createVision(settings, log, { providerTimeoutMs: 300 });
    expect((await provider.classify(photo)).source).toBe("provider");
    expect(requests.at(-1)!.body.model).toBe("local");
    expect(requests.at(-1)!.auth).toBe("Bearer ollama");
    // The ConfigMap's base URL alone does not switch the provider on.
    const embedded = createVision({ OPENAI_BASE_URL: baseUrl, OPENAI_MODEL: "unused" }, log);
    const before = requests.length;
    await expect(embedded.classify({ ...photo, contentType: "image/gif" })).rejects.toMatchObject({
      code: "bad_image",
    });
    expect(requests.length).toBe(before);
  });
});
