import { once } from "node:events";
import { create, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createHandlerContext } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { toConnectError } from "./errors.ts";
import { grpcJsDefinition } from "./grpc-js-definition.ts";
import type { HandlerMap } from "./instrument.ts";
import { headersToMetadata, metadataToHeaders } from "./metadata.ts";

type GrpcCall =
  | grpc.ServerUnaryCall<unknown, unknown>
  | grpc.ServerWritableStream<unknown, unknown>;

/** grpcJsHandlers adapts connect-style handlers to a grpc-js service implementation. */
export function grpcJsHandlers(
  service: DescService,
  handlers: HandlerMap,
): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = handlers[method.localName];
    if (!handler) continue;
    if (method.methodKind === "unary") {
      implementation[method.localName] = (
        call: grpc.ServerUnaryCall<unknown, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        const ctx = handlerContext(service, method, call);
        Promise.resolve()
          .then(() => handler(call.request, ctx))
          .then(
            (output) => {
              sendHeader(call, ctx.responseHeader);
              callback(null, create(method.output, output), headersToMetadata(ctx.responseTrailer));
            },
            (err) => callback(serviceError(err, ctx.responseTrailer)),
          )
          .finally(() => ctx.abort());
      };
    } else if (method.methodKind === "server_streaming") {
      implementation[method.localName] = (call: grpc.ServerWritableStream<unknown, unknown>) => {
        const ctx = handlerContext(service, method, call);
        void (async () => {
          try {
            let headerSent = false;
            for await (const output of handler(call.request, ctx) as AsyncIterable<
              Record<string, unknown>
            >) {
              if (call.cancelled) return;
              if (!headerSent) headerSent = sendHeader(call, ctx.responseHeader);
              if (!call.write(create(method.output, output))) await once(call, "drain");
            }
            sendHeader(call, ctx.responseHeader);
            call.end(headersToMetadata(ctx.responseTrailer));
          } catch (err) {
            if (!call.cancelled) call.emit("error", serviceError(err, ctx.responseTrailer));
          } finally {
            ctx.abort();
          }
        })();
      };
    } else {
      implementation[method.localName] = (
        _call: unknown,
        callback?: grpc.sendUnaryData<unknown>,
      ) => {
        const err = {
          code: grpc.status.UNIMPLEMENTED,
          details: "streaming input is not supported",
        };
        if (callback) callback(err);
      };
    }
  }
  return { definition: grpcJsDefinition(service), implementation };
}

function handlerContext(service: DescService, method: DescMethod, call: GrpcCall) {
  const requestSignal = new AbortController();
  (call as grpc.ServerUnaryCall<unknown, unknown>).on("cancelled", () =>
    requestSignal.abort(new ConnectError("call cancelled", Code.Canceled)),
  );
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  return createHandlerContext({
    service,
    method,
    protocolName: "grpc",
    requestMethod: "POST",
    url: `/${service.typeName}/${method.name}`,
    timeoutMs: Number.isFinite(deadlineMs) ? Math.max(0, deadlineMs - Date.now()) : undefined,
    requestSignal: requestSignal.signal,
    requestHeader: metadataToHeaders(call.metadata),
  });
}

// sendHeader sends the handler's response headers once, if it set any; grpc-js sends an empty
// header block by itself otherwise.
const headerSentCalls = new WeakSet<object>();
function sendHeader(call: GrpcCall, header: Headers): boolean {
  if (headerSentCalls.has(call)) return true;
  headerSentCalls.add(call);
  let any = false;
  header.forEach(() => {
    any = true;
  });
  if (any) call.sendMetadata(headersToMetadata(header));
  return true;
}

function serviceError(err: unknown, trailer: Headers): Partial<grpc.StatusObject> {
  const connectError = toConnectError(err);
  const metadata = headersToMetadata(trailer);
  connectError.metadata.forEach((value, key) => {
    metadata.set(key, value);
  });
  return {
    code: connectError.code as number as grpc.status,
    details: connectError.rawMessage,
    metadata,
  };
}
