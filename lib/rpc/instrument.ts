import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { runWithContext } from "../context/request-context.ts";
import type { Logger } from "../log/create-logger.ts";
import { rpcServerDuration, rpcServerHandled } from "../metrics/registry.ts";
import { contextFromHeaders } from "./call-context.ts";
import { codeName, toConnectError } from "./errors.ts";
import { GrpcJsHandlerContext, type HeaderReader } from "./grpc-js-context.ts";

// biome-ignore lint/suspicious/noExplicitAny: handler maps are keyed by method name at runtime.
type AnyHandler = (input: any, ctx: HandlerContext) => any;
export type HandlerMap = Record<string, AnyHandler>;

/**
 * instrumentService wraps every method of a service the same way for both transports:
 * - the request context (request id, trace, user) is set from the call's metadata;
 * - RED metrics per method;
 * - thrown errors become ConnectErrors (unexpected ones are logged and hidden as INTERNAL);
 * - methods without an implementation answer UNIMPLEMENTED.
 */
export function instrumentService(service: DescService, impl: HandlerMap, log: Logger): HandlerMap {
  const wrapped: HandlerMap = {};
  for (const method of service.methods) {
    const handler =
      impl[method.localName] ??
      (() => {
        throw new ConnectError(
          `${service.typeName}.${method.name} is not implemented yet`,
          Code.Unimplemented,
        );
      });
    wrapped[method.localName] =
      method.methodKind === "unary"
        ? wrapUnary(service, method, handler, log)
        : wrapStreaming(service, method, handler, log);
  }
  return wrapped;
}

function finish(
  service: DescService,
  method: DescMethod,
  started: number,
  err: unknown,
  log: Logger,
) {
  rpcServerDuration
    .series(service.typeName, method.name)
    .observe((performance.now() - started) / 1000);
  if (err === undefined) {
    rpcServerHandled.series(service.typeName, method.name, "OK").inc();
    return undefined;
  }
  const connectError = toConnectError(err);
  rpcServerHandled.series(service.typeName, method.name, codeName(connectError.code)).inc();
  if (connectError.code === Code.Internal || connectError.code === Code.Unknown) {
    log.error(
      { err: connectError.cause ?? connectError, rpc: `${service.typeName}/${method.name}` },
      "rpc failed",
    );
  }
  return connectError;
}

function wrapUnary(
  service: DescService,
  method: DescMethod,
  handler: AnyHandler,
  log: Logger,
): AnyHandler {
  return (input, ctx) =>
    runWithContext(contextFromHeaders(requestHeaders(ctx)), async () => {
      const started = performance.now();
      try {
        const output = await handler(input, ctx);
        // A handler that stops early on its signal still returns; the caller gave up at its
        // deadline, so answering OK would race the client's own DEADLINE_EXCEEDED.
        const aborted = abortReason(ctx);
        if (aborted) throw aborted;
        finish(service, method, started, undefined, log);
        return output;
      } catch (err) {
        throw finish(service, method, started, err, log);
      }
    });
}

/** requestHeaders reads a call's headers without converting grpc-js metadata when it can. */
function requestHeaders(ctx: HandlerContext): HeaderReader {
  return ctx instanceof GrpcJsHandlerContext ? ctx.requestValues : ctx.requestHeader;
}

/** abortReason says why the call is over for its handler, if it is (without making a signal). */
function abortReason(ctx: HandlerContext): ConnectError | undefined {
  if (ctx instanceof GrpcJsHandlerContext) return ctx.abortReason();
  if (!ctx.signal.aborted) return undefined;
  return ctx.signal.reason instanceof ConnectError
    ? ctx.signal.reason
    : new ConnectError("call cancelled", Code.Canceled);
}

function wrapStreaming(
  service: DescService,
  method: DescMethod,
  handler: AnyHandler,
  log: Logger,
): AnyHandler {
  return (input, ctx) => {
    const requestContext = contextFromHeaders(requestHeaders(ctx));
    const started = performance.now();
    // AsyncLocalStorage does not follow an async generator across next() calls, so every step of
    // the handler's iterator is run inside the request context explicitly.
    return (async function* () {
      let iterator: AsyncIterator<unknown> | undefined;
      try {
        iterator = runWithContext(requestContext, () =>
          handler(input, ctx)[Symbol.asyncIterator](),
        );
        while (true) {
          const step = await runWithContext(requestContext, () => iterator!.next());
          if (step.done) break;
          yield step.value;
        }
        finish(service, method, started, undefined, log);
      } catch (err) {
        throw finish(service, method, started, err, log);
      } finally {
        await iterator?.return?.();
      }
    })();
  };
}
