import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { type CallOptions, type Client, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Metadata } from "@grpc/grpc-js";
import { rpcClientDuration, rpcClientHandled } from "../metrics/registry.ts";
import type { CounterSeries, HistogramSeries } from "../metrics/series.ts";
import { forwardedHeaders } from "./call-context.ts";
import { codeName, isRetryable, toConnectError } from "./errors.ts";
import { GrpcJsChannel, grpcJsTransport } from "./grpc-js-transport.ts";
import { headersToMetadata } from "./metadata.ts";
import type { RpcTransport } from "./server.ts";

export interface RetryOptions {
  /** Attempts in all, the first included. Default 3. */
  attempts?: number;
  /** First backoff delay; doubles each retry, with full jitter. Default 50 ms. */
  baseDelayMs?: number;
  /** Default 1000 ms. */
  maxDelayMs?: number;
}

export interface RpcClientOptions {
  /** Default "grpc-js". */
  transport?: RpcTransport;
  /** host:port of the server. */
  address: string;
  /** Deadline of a unary call that sets none, retries included. Default 5000 ms. */
  timeoutMs?: number;
  /** Deadline of a server stream that sets none. Default 300000 ms (the SSE hard cap). */
  streamTimeoutMs?: number;
  retry?: RetryOptions;
}

export type RpcClient<S extends DescService> = Client<S> & { close(): void };

type Attempt = (input: object, callOptions: CallOptions, remainingMs: number) => Promise<unknown>;

/**
 * createRpcClient returns a typed client for one service. Every call gets a deadline (a default
 * when the caller sets none), carries the current request's x-user-id, x-request-id and
 * traceparent, and — when the method is declared idempotent in its .proto — is retried on
 * UNAVAILABLE with jittered exponential backoff inside the same deadline. Over grpc-js, unary
 * calls go straight to the channel with grpc-js metadata (no connect client in between).
 */
export function createRpcClient<S extends DescService>(
  service: S,
  options: RpcClientOptions,
): RpcClient<S> {
  const channel =
    options.transport === "connect" ? undefined : new GrpcJsChannel({ address: options.address });
  const transport: Transport & { close?(): void } = channel
    ? grpcJsTransport(channel)
    : createGrpcTransport({ baseUrl: `http://${options.address}` });
  // biome-ignore lint/suspicious/noExplicitAny: methods are looked up by name at runtime.
  const inner = createClient(service, transport) as Record<string, (...args: any[]) => any>;
  const timeoutMs = options.timeoutMs ?? 5000;
  const streamTimeoutMs = options.streamTimeoutMs ?? 300_000;
  const retry = {
    attempts: options.retry?.attempts ?? 3,
    baseDelayMs: options.retry?.baseDelayMs ?? 50,
    maxDelayMs: options.retry?.maxDelayMs ?? 1000,
  };
  // biome-ignore lint/suspicious/noExplicitAny: filled per method below.
  const client: Record<string, any> = { close: () => transport.close?.() };
  for (const method of service.methods) {
    const call = inner[method.localName]!;
    if (method.methodKind !== "unary") {
      client[method.localName] = (input: object, callOptions: CallOptions = {}) =>
        call(input, {
          ...callOptions,
          timeoutMs: callOptions.timeoutMs ?? streamTimeoutMs,
          headers: mergeHeaders(forwardedHeaders(), callOptions.headers),
        });
      continue;
    }
    const attempt: Attempt = channel
      ? (input, callOptions, remainingMs) =>
          channel.unary(method, input, {
            metadata: forwardedMetadata(callOptions.headers),
            timeoutMs: remainingMs,
            signal: callOptions.signal,
            onHeader: callOptions.onHeader,
            onTrailer: callOptions.onTrailer,
          })
      : (input, callOptions, remainingMs) =>
          call(input, {
            ...callOptions,
            timeoutMs: remainingMs,
            headers: mergeHeaders(forwardedHeaders(), callOptions.headers),
          });
    const metrics = {
      duration: rpcClientDuration.series(service.typeName, method.name),
      handled: (code: string) => rpcClientHandled.series(service.typeName, method.name, code),
    };
    const policy = isIdempotent(method) ? retry : { ...retry, attempts: 1 };
    client[method.localName] = (input: object, callOptions: CallOptions = {}) =>
      unary(attempt, input, callOptions, timeoutMs, policy, metrics);
  }
  return client as RpcClient<S>;
}

function mergeHeaders(base: Record<string, string>, extra: HeadersInit | undefined): Headers {
  const headers = new Headers(base);
  new Headers(extra).forEach((value, key) => {
    headers.set(key, value);
  });
  return headers;
}

/** forwardedMetadata is forwardedHeaders as grpc-js metadata, with the caller's own headers over it. */
function forwardedMetadata(extra: HeadersInit | undefined): Metadata {
  if (extra !== undefined) return headersToMetadata(mergeHeaders(forwardedHeaders(), extra));
  const metadata = new Metadata();
  const forwarded = forwardedHeaders();
  for (const key in forwarded) metadata.set(key, forwarded[key]!);
  return metadata;
}

function isIdempotent(method: DescMethod): boolean {
  return method.idempotency !== MethodOptions_IdempotencyLevel.IDEMPOTENCY_UNKNOWN;
}

/**
 * unary runs one call with its deadline, retrying UNAVAILABLE up to `retry.attempts` times in all
 * (1 for a method not declared idempotent) with full-jitter exponential backoff: the n-th retry
 * waits a random 0..min(baseDelayMs·2^(n-1), maxDelayMs), and only while the deadline leaves more
 * than baseDelayMs. Each attempt gets what is left of the one deadline, so retries never stretch it.
 */
async function unary(
  attempt: Attempt,
  input: object,
  callOptions: CallOptions,
  defaultTimeoutMs: number,
  retry: Required<RetryOptions>,
  metrics: { duration: HistogramSeries; handled: (code: string) => CounterSeries },
) {
  const started = performance.now();
  const deadline = started + (callOptions.timeoutMs ?? defaultTimeoutMs);
  try {
    for (let attempts = 1; ; attempts++) {
      try {
        const output = await attempt(
          input,
          callOptions,
          Math.max(1, Math.ceil(deadline - performance.now())),
        );
        metrics.handled("OK").inc();
        return output;
      } catch (err) {
        const left = deadline - performance.now();
        if (attempts >= retry.attempts || !isRetryable(err) || left <= retry.baseDelayMs) {
          throw err;
        }
        const ceiling = Math.min(retry.baseDelayMs * 2 ** (attempts - 1), retry.maxDelayMs);
        await sleep(Math.round(Math.random() * ceiling));
      }
    }
  } catch (err) {
    const connectError = toConnectError(err);
    metrics.handled(codeName(connectError.code)).inc();
    throw connectError;
  } finally {
    metrics.duration.observe((performance.now() - started) / 1000);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
