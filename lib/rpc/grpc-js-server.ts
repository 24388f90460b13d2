import { once } from "node:events";
import type { DescService } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { toConnectError } from "./errors.ts";
import { GrpcJsHandlerContext } from "./grpc-js-context.ts";
import { grpcJsDefinition } from "./grpc-js-definition.ts";
import type { HandlerMap } from "./instrument.ts";

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
        const ctx = new GrpcJsHandlerContext(service, method, call);
        // The definition's serializer builds the message, so the output goes to grpc-js as is.
        new Promise((resolve) => resolve(handler(call.request, ctx))).then(
          (output) => {
            const header = ctx.responseHeaderMetadata();
            if (header) call.sendMetadata(header);
            callback(null, output, ctx.responseTrailerMetadata());
            ctx.finish();
          },
          (err) => {
            callback(serviceError(err, ctx.responseTrailerMetadata()));
            ctx.finish();
          },
        );
      };
    } else if (method.methodKind === "server_streaming") {
      implementation[method.localName] = (call: grpc.ServerWritableStream<unknown, unknown>) => {
        const ctx = new GrpcJsHandlerContext(service, method, call);
        void (async () => {
          try {
            let headerSent = false;
            const sendHeader = () => {
              if (headerSent) return;
              headerSent = true;
              const header = ctx.responseHeaderMetadata();
              if (header) call.sendMetadata(header);
            };
            for await (const output of handler(call.request, ctx) as AsyncIterable<
              Record<string, unknown>
            >) {
              if (call.cancelled) return;
              sendHeader();
              if (!call.write(output)) await once(call, "drain");
            }
            sendHeader();
            call.end(ctx.responseTrailerMetadata());
          } catch (err) {
            if (!call.cancelled) {
              call.emit("error", serviceError(err, ctx.responseTrailerMetadata()));
            }
          } finally {
            ctx.finish();
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

function serviceError(
  err: unknown,
  trailer: grpc.Metadata | undefined,
): Partial<grpc.StatusObject> {
  const connectError = toConnectError(err);
  const metadata = trailer ?? new grpc.Metadata();
  connectError.metadata.forEach((value, key) => {
    metadata.set(key, value);
  });
  return {
    code: connectError.code as number as grpc.status,
    details: connectError.rawMessage,
    metadata,
  };
}
