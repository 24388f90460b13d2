import { describe, expect, it } from "bun:test";
import type { Composer } from "./compose/composer.ts";
import { runChat } from "./run-chat.ts";
import { STAGE_ORDER } from "./stages.ts";
import { fakeDeps, job } from "./test/fake-ports.ts";

describe("runChat", () => {
  it("reports every stage in order with §2.3 seqs, streams tokens from 1001, and ends done completed", async () => {
    const { deps, events, answered } = fakeDeps();
    expect(await runChat(deps, job())).toBe("completed");
    const stages = events.events.filter((e) => e.stage !== "token");
    expect(stages.map((e) => `${e.stage}:${e.status}`)).toEqual([
      "intent:started",
      "intent:completed",
      "waste_rag:started",
      "waste_rag:completed",
      "aggregator:started",
      "aggregator:completed",
      "answer:started",
      "answer:completed",
      "eval:started",
      "eval:completed",
      "done:completed",
    ]);
    for (const e of stages) {
      expect(e.seq).toBe(
        STAGE_ORDER[e.stage as keyof typeof STAGE_ORDER] * 10 + (e.status === "completed" ? 1 : 0),
      );
      expect(e.message).toMatch(/[가-힣]/);
    }
    const tokens = events.events.filter((e) => e.stage === "token");
    expect(tokens[0]!.seq).toBe(1001);
    expect(tokens.map((t) => t.seq)).toEqual(tokens.map((_, i) => 1001 + i));
    expect(tokens.every((t) => t.node === "answer" && t.status === "streaming")).toBe(true);
    const done = JSON.parse(events.stage("done")!.resultJson);
    expect(done.intent).toBe("waste");
    expect(done.answer).toBe(events.text());
    expect(done.answer).toContain("무색페트병");
    expect(done.answer).toContain("라벨을 뗍니다");
    expect(done.eval.grade).toMatch(/^[ABCD]$/);
    expect(done.persistence).toMatchObject({
      conversation_id: "chat-1",
      user_id: "user-1",
      user_message: "페트병은 어떻게 버려?",
      assistant_message: done.answer,
      intent: "waste",
    });
    expect(
      Date.parse(done.persistence.assistant_message_created_at) -
        Date.parse(done.persistence.user_message_created_at),
    ).toBe(1);
    expect(events.stage("done")!.progress).toBe(100);
    expect(answered.answers).toHaveLength(1);
    expect(answered.answers[0]).toMatchObject({
      jobId: "job-0000000001",
      intent: "waste",
      assistantMessage: done.answer,
    });
  });

  it("batches tokens that pile up while a RecordEvents call is in flight", async () => {
    const { deps, events } = fakeDeps();
    events.delayMs = 5;
    const slowComposer: Composer = async function* () {
      for (let i = 0; i < 30; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield `조각${i} `;
      }
    };
    await runChat({ ...deps, composer: slowComposer }, job());
    const tokens = events.events.filter((e) => e.stage === "token");
    expect(tokens).toHaveLength(30);
    // Far fewer calls than events, and the text arrives whole and in order.
    expect(events.calls.length).toBeLessThan(15);
    expect(events.text()).toBe(Array.from({ length: 30 }, (_, i) => `조각${i} `).join(""));
  });

  it("answers two intents with both sub-agents and names the nearest collection point", async () => {
    const { deps, events } = fakeDeps();
    await runChat(
      deps,
      job({
        message: "종이 버리는 법이랑 근처 수거함도 알려줘",
        userLocation: { latitude: 37.5665, longitude: 126.978 },
      }),
    );
    const done = JSON.parse(events.stage("done")!.resultJson);
    expect(done.intents).toEqual(["waste", "collection_point"]);
    expect(done.answer).toContain("시청 자원순환가게");
    expect(done.answer).toContain("300m");
    expect(done.answer).not.toContain("알맹상점");
    expect(events.stage("collection_point", "completed")!.progress).toBe(55);
  });

  it("asks for a location (needs_input) and uses the user's answer", async () => {
    const { deps, events } = fakeDeps();
    events.input = { type: "location", data: { latitude: 37.5, longitude: 127 } };
    await runChat(deps, job({ message: "근처 제로웨이스트 샵 있어?" }));
    const asked = events.stage("needs_input")!;
    expect(asked).toMatchObject({ status: "waiting", seq: 190 });
    expect(JSON.parse(asked.resultJson)).toMatchObject({ type: "location" });
    expect(events.text()).toContain("알맹상점");
  });

  it("without an answer to needs_input, the reply asks the user to share a location", async () => {
    const { deps, events } = fakeDeps();
    await runChat(deps, job({ message: "근처 폐건전지 수거함 어디 있어?" }));
    expect(events.text()).toContain("위치");
    expect(JSON.parse(events.stage("done")!.resultJson).eval.score).toBeLessThan(0.5);
  });

  it("keeps the waste intent for a follow-up and finds the new item", async () => {
    const history = [
      { role: "user" as const, content: "페트병은 어떻게 버려?" },
      { role: "assistant" as const, content: "라벨을 떼요", intent: "waste" },
    ];
    const { deps, events } = fakeDeps({}, history);
    await runChat(deps, job({ message: "그럼 유리병은?" }));
    const intent = JSON.parse(events.stage("intent", "completed")!.resultJson);
    expect(intent).toMatchObject({ intent: "waste", source: "follow_up" });
    expect(events.text()).toContain("유리병");
  });

  it("runs the vision stage for an image and answers for what it saw", async () => {
    const { deps, events } = fakeDeps();
    await runChat(
      deps,
      job({ message: "이거 뭐야?", imageKey: "img/1.jpg", imageContentType: "image/jpeg" }),
    );
    expect(events.stage("vision", "completed")!.seq).toBe(21);
    expect(JSON.parse(events.stage("done")!.resultJson).intent).toBe("waste");
    expect(events.text()).toContain("유리병");
  });

  it("a redelivered job records nothing twice and republishes the same answer", async () => {
    const { deps, events, answered } = fakeDeps();
    await runChat(deps, job());
    const first = events.events.length;
    await runChat(deps, job());
    expect(events.events.length).toBe(first);
    expect(new Set(events.events.map((e) => e.seq)).size).toBe(first);
    expect(answered.answers[1]!.assistantMessage).toBe(answered.answers[0]!.assistantMessage);
  });

  it("rethrows when the chat service cannot record (the message is retried), never reporting done", async () => {
    const { deps, events, answered } = fakeDeps();
    events.failNext = 1;
    await expect(runChat(deps, job())).rejects.toThrow("chat service unavailable");
    expect(answered.answers).toHaveLength(0);
  });

  it("ends done failed with an error when the answer cannot be composed", async () => {
    const broken: Composer = async function* () {
      yield "앗";
      throw new Error("boom");
    };
    const { deps, events, answered } = fakeDeps({ composer: broken });
    expect(await runChat(deps, job())).toBe("failed");
    const done = events.stage("done")!;
    expect(done.status).toBe("failed");
    expect(JSON.parse(done.resultJson).error).toContain("boom");
    expect(answered.answers).toHaveLength(0);
  });

  it("says clearly that weather and image generation are not available without a provider", async () => {
    const { deps, events } = fakeDeps();
    await runChat(deps, job({ message: "오늘 날씨 어때?" }));
    expect(events.text()).toContain("날씨 제공자가 없어서");
    const second = fakeDeps();
    await runChat(second.deps, job({ message: "이코 그림 그려줘" }));
    expect(JSON.parse(second.events.stage("done")!.resultJson).intent).toBe("image_generation");
    expect(second.events.text()).toContain("그림 만들기는 아직 제가 할 수 없는 일이에요");
  });
});
