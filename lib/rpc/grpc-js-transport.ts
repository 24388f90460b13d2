import { create, type DescMethod, fromBinary, toBinary } from "@bufbuild/protobuf";
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

/** Options of one unary call on a GrpcJsChannel. */
export interface GrpcJsCallOptions {
  readonly metadata: grpc.Metadata;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onHeader?: (headers: Headers) => void;
  readonly onTrailer?: (trailers: Headers) => void;
}

interface MethodCodec {
  readonly path: string;
  readonly serialize: (value: Record<string, unknown>) => Buffer;
  readonly deserialize: (bytes: Buffer) => unknown;
}

// One codec per method for the life of the process, not two closures per call.
const codecs = new WeakMap<DescMethod, MethodCodec>();

function codecOf(method: DescMethod): MethodCodec {
  let codec = codecs.get(method);
  if (codec === undefined) {
    codec = {
      path: `/${method.parent.typeName}/${method.name}`,
      serialize: (value) => Buffer.from(toBinary(method.input, create(method.input, value))),
      deserialize: (bytes) => fromBinary(method.output, bytes),
    };
    codecs.set(method, codec);
  }
  return codec;
}

/**
 * GrpcJsChannel is a grpc-js client connection with a promise-based unary call that takes grpc-js
 * metadata as is. lib/rpc's clients call it directly: going through connect's client and
 * Transport costs three Headers, an AbortController and a header → metadata conversion per call.
 */
export class GrpcJsChannel {
  readonly client: grpc.Client;

  constructor(options: GrpcJsTransportOptions) {
    const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.client = new grpc.Client(options.address, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": maxBytes,
      "grpc.max_send_message_length": maxBytes,
      // grpc-js waits 1 s, growing to 120 s, before reconnecting to a peer that refused it, and
      // fails calls at once meanwhile; between pods of one cluster a restarted peer is back within
      // seconds, so reconnect sooner and never wait long (the interop retry test depends on it).
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 5000,
    });
  }

  unary<O>(method: DescMethod, input: object, options: GrpcJsCallOptions): Promise<O> {
    const { signal, onHeader, onTrailer } = options;
    throwIfAborted(signal);
    const codec = codecOf(method);
    return new Promise<O>((resolve, reject) => {
      const call = this.client.makeUnaryRequest(
        codec.path,
        codec.serialize,
        codec.deserialize,
        input as Record<string, unknown>,
        options.metadata,
        deadlineOf(options.timeoutMs),
        (err, message) => {
          signal?.removeEventListener("abort", cancel);
          if (err) reject(fromServiceError(err));
          else resolve(message as O);
        },
      );
      const cancel = () => call.cancel();
      signal?.addEventListener("abort", cancel, { once: true });
      if (onHeader) call.on("metadata", (md) => onHeader(metadataToHeaders(md)));
      if (onTrailer) call.on("status", (status) => onTrailer(metadataToHeaders(status.metadata)));
    });
  }

  close(): void {
    this.client.close();
  }
}

function deadlineOf(timeoutMs: number | undefined): grpc.CallOptions {
  return timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };
}

/**
 * createGrpcJsTransport makes a connect Transport on top of a grpc-js channel, so the same
 * generated, promise-based client works over either gRPC implementation.
 */
export function createGrpcJsTransport(
  options: GrpcJsTransportOptions,
): Transport & { close(): void } {
  return grpcJsTransport(new GrpcJsChannel(options));
}

/** grpcJsTransport is the connect Transport over an existing channel. */
export function grpcJsTransport(channel: GrpcJsChannel): Transport & { close(): void } {
  const client = channel.client;
  return {
    close: () => channel.close(),

    async unary(method, signal, timeoutMs, header, input) {
      const responseHeader = new Headers();
      const trailer = new Headers();
      const message = await channel.unary(method, input, {
        metadata: headersToMetadata(header),
        timeoutMs,
        signal,
        onHeader: (headers) => copyInto(responseHeader, headers),
        onTrailer: (headers) => copyInto(trailer, headers),
      });
      return {
        stream: false,
        service: method.parent,
        method,
        header: responseHeader,
        // biome-ignore lint/suspicious/noExplicitAny: the codec returns the output shape.
        message: message as any,
        trailer,
      };
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
      const codec = codecOf(method);
      const call = client.makeServerStreamRequest(
        codec.path,
        codec.serialize,
        codec.deserialize,
        request ?? {},
        headersToMetadata(header),
        deadlineOf(timeoutMs),
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
