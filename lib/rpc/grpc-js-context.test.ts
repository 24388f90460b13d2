import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { EchoService } from "../../gen/eco2/testing/v1/echo_pb.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { Readiness } from "../health/index.ts";
import { createRpcClient, createRpcServer, defineService, type RpcServer } from "./index.ts";

// What a handler served by grpc-js sees of its call through the lazily built context.
describe("GrpcJsHandlerContext", () => {
  const seen: { reason?: unknown; timeoutMs?: number; header?: string | null }[] = [];
  let server: RpcServer;
  beforeAll(async () => {
    server = createRpcServer({
      port: 0,
      readiness: new Readiness(),
      log: silentLog,
      services: [
        defineService(EchoService, {
          echo(request, ctx) {
            seen.push({ header: ctx.requestHeader.get("x-extra") });
            ctx.responseTrailer.set("x-trailer", "t");
            return { text: request.text };
          },
          async sleep(_request, ctx) {
            const entry: (typeof seen)[number] = { timeoutMs: ctx.timeoutMs() };
            seen.push(entry);
            await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
            entry.reason = ctx.signal.reason;
            return { finished: false };
          },
        }),
      ],
    });
    await server.start();
  });
  afterAll(() => server.forceStop());

  // Connected before the test's call, so the call reaches the handler well before its deadline.
  async function client() {
    const echo = createRpcClient(EchoService, {
      address: `127.0.0.1:${server.port}`,
      retry: { attempts: 1 },
    });
    await echo.echo({ text: "warm" });
    return echo;
  }

  async function lastReason(): Promise<unknown> {
    const deadline = performance.now() + 2000;
    while (seen.at(-1)?.reason === undefined && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return seen.at(-1)?.reason;
  }

  it("aborts the handler's signal at the call's deadline", async () => {
    const echo = await client();
    await expect(echo.sleep({ ms: 5000 }, { timeoutMs: 300 })).rejects.toBeInstanceOf(ConnectError);
    const reason = await lastReason();
    expect(reason).toBeInstanceOf(ConnectError);
    expect((reason as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect(seen.at(-1)!.timeoutMs).toBeGreaterThan(0);
    expect(seen.at(-1)!.timeoutMs).toBeLessThanOrEqual(300);
    echo.close();
  });

  it("aborts the handler's signal when the caller cancels", async () => {
    const echo = await client();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 150);
    await expect(echo.sleep({ ms: 5000 }, { signal: abort.signal })).rejects.toBeInstanceOf(
      ConnectError,
    );
    const reason = await lastReason();
    expect(reason).toBeInstanceOf(ConnectError);
    expect((reason as ConnectError).code).toBe(Code.Canceled);
    echo.close();
  });

  it("reads request headers on demand and sends the trailer it was given", async () => {
    const echo = await client();
    let trailer: Headers | undefined;
    const answer = await echo.echo(
      { text: "hi" },
      { headers: { "x-extra": "e" }, onTrailer: (t) => (trailer = t) },
    );
    expect(answer.text).toBe("hi");
    expect(seen.at(-1)!.header).toBe("e");
    expect(trailer?.get("x-trailer")).toBe("t");
    echo.close();
  });
});
