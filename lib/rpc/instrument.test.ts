import { describe, expect, it } from "bun:test";
import { Code, ConnectError, createHandlerContext } from "@connectrpc/connect";
import { EchoService } from "../../gen/eco2/testing/v1/echo_pb.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { instrumentService } from "./instrument.ts";

const sleepMethod = EchoService.method.sleep;

function contextWithDeadline(timeoutMs: number) {
  return createHandlerContext({
    service: EchoService,
    method: sleepMethod,
    protocolName: "grpc",
    requestMethod: "POST",
    url: "/eco2.testing.v1.EchoService/Sleep",
    timeoutMs,
  });
}

describe("instrumentService", () => {
  // A handler that honours its signal returns early; the caller must still see the deadline,
  // or the answer races the client's own DEADLINE_EXCEEDED (seen once in CI under load).
  it("reports DEADLINE_EXCEEDED when a unary handler returns after its deadline", async () => {
    const handlers = instrumentService(
      EchoService,
      {
        sleep: async (_input, ctx) => {
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
          return { finished: false };
        },
      },
      silentLog,
    );
    const call = handlers.sleep!({ ms: 1000 }, contextWithDeadline(20));
    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectError);
    expect(Code[(err as ConnectError).code]).toBe(Code[Code.DeadlineExceeded]);
  });

  it("answers normally when the handler finishes within its deadline", async () => {
    const handlers = instrumentService(
      EchoService,
      { sleep: async () => ({ finished: true }) },
      silentLog,
    );
    expect(await handlers.sleep!({ ms: 0 }, contextWithDeadline(1000))).toEqual({ finished: true });
  });
});
