import { type Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { EchoService } from "../../gen/eco2/testing/v1/echo_pb.ts";
import { defineService } from "../../lib/rpc/index.ts";

/** EchoServer counts calls so tests can tell a retry from a single attempt. */
export interface EchoServerState {
  calls: Record<string, number>;
}

/** echoService is the test service behind the RPC interop suite and the rpc benchmark. */
export function echoService(state: EchoServerState = { calls: {} }) {
  const seen = (name: string) => {
    state.calls[name] = (state.calls[name] ?? 0) + 1;
  };
  return defineService(EchoService, {
    echo(request, ctx) {
      seen("echo");
      const metadata: Record<string, string> = {};
      for (const key of ["x-user-id", "x-request-id", "traceparent", "x-extra"]) {
        const value = ctx.requestHeader.get(key);
        if (value !== null) metadata[key] = value;
      }
      ctx.responseHeader.set("x-echo-header", "h");
      ctx.responseTrailer.set("x-echo-trailer", "t");
      return { text: request.text, metadata };
    },
    async *count(request, ctx) {
      seen("count");
      for (let i = 0; i < request.count; i++) {
        if (request.intervalMs > 0) await sleep(request.intervalMs, ctx);
        yield { value: i };
      }
      if (request.failCode !== 0) {
        throw new ConnectError(`failed after ${request.count}`, request.failCode as Code);
      }
    },
    fail(request) {
      seen("fail");
      throw new ConnectError(request.message, request.code as Code);
    },
    async sleep(request, ctx) {
      seen("sleep");
      await sleep(request.ms, ctx);
      return { finished: !ctx.signal.aborted };
    },
  });
}

function sleep(ms: number, ctx: HandlerContext): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    ctx.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
