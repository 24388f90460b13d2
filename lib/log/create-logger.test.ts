import { describe, expect, it } from "bun:test";
import { Writable } from "node:stream";
import { runWithContext } from "../context/index.ts";
import { createLogger } from "./create-logger.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, log: createLogger({ service: "svc", destination }) };
}

describe("createLogger", () => {
  it("writes JSON lines with level, time and service", () => {
    const { lines, log } = capture();
    log.info({ answer: 42 }, "hello");
    expect(lines[0]).toMatchObject({ level: "info", service: "svc", answer: 42, msg: "hello" });
    expect(typeof lines[0]!.time).toBe("string");
  });

  it("stamps the current request's id and trace id on every line", async () => {
    const { lines, log } = capture();
    const ctx = {
      requestId: "req-1",
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      userId: "u",
    };
    await runWithContext(ctx, async () => {
      log.info("first");
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.warn("after an await");
    });
    log.info("outside");
    expect(lines[0]).toMatchObject({ request_id: "req-1", trace_id: ctx.traceId });
    expect(lines[1]).toMatchObject({ request_id: "req-1", trace_id: ctx.traceId });
    expect(lines[2]!.request_id).toBeUndefined();
  });
});
