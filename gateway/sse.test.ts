import { describe, expect, it } from "bun:test";
import { readEvents } from "../test/support/sse.ts";
import { JsonText, jsonOf, type SseEvent, sseFrame, sseResponse } from "./sse.ts";

async function* slowly(events: SseEvent[], gapMs: number): AsyncGenerator<SseEvent> {
  for (const event of events) {
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    yield event;
  }
}

describe("server-sent events", () => {
  it("frames events with their ids, keeps an idle stream alive, and closes when the source ends", async () => {
    const abort = new AbortController();
    const response = sseResponse(
      slowly(
        [
          { event: "vision", id: "10", data: { seq: 10 } },
          { event: "done", id: "51", data: { seq: 51 } },
        ],
        1200,
      ),
      abort,
      { keepaliveMs: 500 },
    );
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const events = await readEvents(response, () => false, 10_000);
    const names = events.map((e) => e.event);
    expect(names.filter((name) => name !== "keepalive")).toEqual(["vision", "done"]);
    expect(names).toContain("keepalive");
    expect(events.find((e) => e.event === "vision")).toMatchObject({ id: "10", data: { seq: 10 } });
    expect(events.find((e) => e.event === "keepalive")?.id).toBeUndefined();
  });

  it("ends a stream at the cap with a timeout error, and stops the source", async () => {
    const abort = new AbortController();
    const response = sseResponse(slowly([{ event: "never", data: {} }], 60_000), abort, {
      capMs: 300,
    });
    const events = await readEvents(response, () => false, 5000);
    expect(events.at(-1)).toMatchObject({ event: "error", data: { error: "timeout" } });
    expect(abort.signal.aborted).toBe(true);
  });

  it("stops the source when the client goes away", async () => {
    const abort = new AbortController();
    const response = sseResponse(slowly([{ event: "never", data: {} }], 60_000), abort);
    await response.body!.cancel();
    expect(abort.signal.aborted).toBe(true);
  });

  it("keeps each of several streams alive at its own pace, and one leaving stops only its own", async () => {
    const [fast, slow, leaving] = [
      new AbortController(),
      new AbortController(),
      new AbortController(),
    ];
    const never = () => slowly([{ event: "never", data: {} }], 60_000);
    const gone = sseResponse(never(), leaving, { keepaliveMs: 100 });
    await gone.body!.cancel();
    const count = (response: Response) =>
      readEvents(response, () => false, 1300).catch(() => undefined);
    const fastStream = sseResponse(never(), fast, { keepaliveMs: 200, capMs: 1200 });
    const slowStream = sseResponse(never(), slow, { keepaliveMs: 5000, capMs: 1200 });
    const [fastEvents, slowEvents] = await Promise.all([count(fastStream), count(slowStream)]);
    const keepalives = (events: { event: string }[] | undefined) =>
      (events ?? []).filter((event) => event.event === "keepalive").length;
    expect(keepalives(fastEvents)).toBeGreaterThanOrEqual(3);
    expect(keepalives(slowEvents)).toBe(0);
    expect(slowEvents?.at(-1)).toMatchObject({ event: "error", data: { error: "timeout" } });
    expect(leaving.signal.aborted).toBe(true);
    expect([fast.signal.aborted, slow.signal.aborted]).toEqual([true, true]);
  });

  it("writes data that is JSON text already as it is, and as its value where it is read", () => {
    const text = '{"seq":1001,"text":"페트병은 "}';
    const frame = new TextDecoder().decode(
      sseFrame({ event: "token", id: "5-0", data: new JsonText(text) }),
    );
    expect(frame).toBe(`event: token\nid: 5-0\ndata: ${text}\n\n`);
    expect(jsonOf(new JsonText(text))).toBe(text);
    expect(JSON.parse(JSON.stringify({ data: new JsonText(text) }))).toEqual({
      data: { seq: 1001, text: "페트병은 " },
    });
  });
});
