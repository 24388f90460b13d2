import {
  create,
  type DescMessage,
  type DescMethod,
  fromBinary,
  toBinary,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { DEFAULT_MAX_MESSAGE_BYTES } from "./limits.ts";
import { headersToMetadata, metadataToHeaders } from "./metadata.ts";

export interface GrpcJsTransportOptions {
  /** host:port of the server. */
  address: string;
  /** Largest message accepted, in bytes. Default 8 MiB (grpc-js defaults to 4 MiB). */
  maxMessageBytes?: number;
}

/**
 * createGrpcJsTransport makes a connect Transport on top of a grpc-js channel, so the same
 * generated, promise-based client works over either gRPC implementation.
 */
export function createGrpcJsTransport(
  options: GrpcJsTransportOptions,
): Transport & { close(): void } {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const client = new grpc.Client(options.address, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": maxBytes,
    "grpc.max_send_message_length": maxBytes,
    // grpc-js waits 1 s, growing to 120 s, before reconnecting to a peer that refused it, and
    // fails calls at once meanwhile; between pods of one cluster a restarted peer is back within
    // seconds, so reconnect sooner and never wait long (the interop retry test depends on it).
    "grpc.initial_reconnect_backoff_ms": 100,
    "grpc.max_reconnect_backoff_ms": 5000,
  });
  const path = (method: DescMethod) => `/${method.parent.typeName}/${method.name}`;
  const serialize = (schema: DescMessage) => (value: Record<string, unknown>) =>
    Buffer.from(toBinary(schema, create(schema, value)));
  const deserialize = (schema: DescMessage) => (bytes: Buffer) => fromBinary(schema, bytes);
  const callOptions = (timeoutMs: number | undefined): grpc.CallOptions =>
    timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };

  return {
    close: () => client.close(),

    unary(method, signal, timeoutMs, header, input) {
      throwIfAborted(signal);
      const responseHeader = new Headers();
      const trailer = new Headers();
      return new Promise((resolve, reject) => {
        const call = client.makeUnaryRequest(
          path(method),
          serialize(method.input),
          deserialize(method.output),
          input,
          headersToMetadata(header),
          callOptions(timeoutMs),
          (err, message) => {
            signal?.removeEventListener("abort", cancel);
            if (err) reject(fromServiceError(err));
            else
              resolve({
                stream: false,
                service: method.parent,
                method,
                header: responseHeader,
                // biome-ignore lint/suspicious/noExplicitAny: deserialize returns the output shape.
                message: message as any,
                trailer,
              });
          },
        );
        const cancel = () => call.cancel();
        signal?.addEventListener("abort", cancel, { once: true });
        call.on("metadata", (md) => copyInto(responseHeader, metadataToHeaders(md)));
        call.on("status", (status) => copyInto(trailer, metadataToHeaders(status.metadata)));
      });
    },

    async stream(method, signal, timeoutMs, header, input) {
      throwIfAborted(signal);
      if (method.methodKind !== "server_streaming") {
        throw new ConnectError("only server-streaming calls are supported", Code.Unimplemented);
      }
      let request: Record<string, unknown> | undefined;
      for await (const message of input) request = message as Record<string, unknown>;
      const responseHeader = new Headers();
      const trailer = new Headers();
      const call = client.makeServerStreamRequest(
        path(method),
        serialize(method.input),
        deserialize(method.output),
        request ?? {},
        headersToMetadata(header),
        callOptions(timeoutMs),
      );
      const cancel = () => call.cancel();
      signal?.addEventListener("abort", cancel, { once: true });
      call.on("metadata", (md) => copyInto(responseHeader, metadataToHeaders(md)));
      call.on("status", (status) => copyInto(trailer, metadataToHeaders(status.metadata)));
      async function* messages() {
        try {
          for await (const message of call) yield message;
        } catch (err) {
          throw fromServiceError(err);
        } finally {
          signal?.removeEventListener("abort", cancel);
          call.cancel();
        }
      }
      return {
        stream: true,
        service: method.parent,
        method,
        header: responseHeader,
        // biome-ignore lint/suspicious/noExplicitAny: the stream yields the output shape.
        message: messages() as any,
        trailer,
      };
    },
  };
}

function copyInto(target: Headers, source: Headers) {
  source.forEach((value, key) => {
    target.append(key, value);
  });
}

function throwIfAborted(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw new ConnectError("call aborted", Code.Canceled);
}

/** fromServiceError keeps the gRPC code and message: both libraries use the same numbers. */
function fromServiceError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const serviceError = err as Partial<grpc.ServiceError>;
  if (typeof serviceError?.code === "number") {
    return new ConnectError(
      serviceError.details ?? "",
      serviceError.code as number as Code,
      metadataToHeaders(serviceError.metadata),
      undefined,
      err,
    );
  }
  return ConnectError.from(err, Code.Unknown);
}
