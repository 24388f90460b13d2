import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { type CallOptions, type Client, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { backOff } from "exponential-backoff";
import { rpcClientDuration, rpcClientHandled } from "../metrics/registry.ts";
import { forwardedHeaders } from "./call-context.ts";
import { codeName, isRetryable, toConnectError } from "./errors.ts";
import { createGrpcJsTransport } from "./grpc-js-transport.ts";
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

/**
 * createRpcClient returns a typed client for one service. Every call gets a deadline (a default
 * when the caller sets none), carries the current request's x-user-id, x-request-id and
 * traceparent, and — when the method is declared idempotent in its .proto — is retried on
 * UNAVAILABLE with jittered exponential backoff inside the same deadline.
 */
export function createRpcClient<S extends DescService>(
  service: S,
  options: RpcClientOptions,
): RpcClient<S> {
  const transport: Transport & { close?(): void } =
    options.transport === "connect"
      ? createGrpcTransport({ baseUrl: `http://${options.address}` })
      : createGrpcJsTransport({ address: options.address });
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
    client[method.localName] =
      method.methodKind === "unary"
        ? (input: object, callOptions: CallOptions = {}) =>
            unary(method, call, input, callOptions, timeoutMs, retry)
        : (input: object, callOptions: CallOptions = {}) =>
            call(input, withDefaults(callOptions, streamTimeoutMs));
  }
  return client as RpcClient<S>;
}

function withDefaults(callOptions: CallOptions, timeoutMs: number): CallOptions {
  return {
    ...callOptions,
    timeoutMs: callOptions.timeoutMs ?? timeoutMs,
    headers: mergeHeaders(forwardedHeaders(), callOptions.headers),
  };
}

function mergeHeaders(base: Record<string, string>, extra: HeadersInit | undefined): Headers {
  const headers = new Headers(base);
  new Headers(extra).forEach((value, key) => {
    headers.set(key, value);
  });
  return headers;
}

function isIdempotent(method: DescMethod): boolean {
  return method.idempotency !== MethodOptions_IdempotencyLevel.IDEMPOTENCY_UNKNOWN;
}

async function unary(
  method: DescMethod,
  // biome-ignore lint/suspicious/noExplicitAny: a generated client method.
  call: (input: object, options: CallOptions) => Promise<any>,
  input: object,
  callOptions: CallOptions,
  defaultTimeoutMs: number,
  retry: Required<RetryOptions>,
) {
  const base = withDefaults(callOptions, defaultTimeoutMs);
  const deadline = performance.now() + (base.timeoutMs ?? defaultTimeoutMs);
  const labels = { service: method.parent.typeName, method: method.name };
  const started = performance.now();
  // Each attempt gets what is left of the one deadline, so retries never stretch it.
  const attempt = () =>
    call(input, { ...base, timeoutMs: Math.max(1, Math.ceil(deadline - performance.now())) });
  try {
    const output = isIdempotent(method)
      ? await backOff(attempt, {
          numOfAttempts: retry.attempts,
          startingDelay: retry.baseDelayMs,
          maxDelay: retry.maxDelayMs,
          jitter: "full",
          retry: (err) => isRetryable(err) && deadline - performance.now() > retry.baseDelayMs,
        })
      : await attempt();
    rpcClientHandled.inc({ ...labels, code: "OK" });
    return output;
  } catch (err) {
    const connectError = toConnectError(err);
    rpcClientHandled.inc({ ...labels, code: codeName(connectError.code) });
    throw connectError;
  } finally {
    rpcClientDuration.observe(labels, (performance.now() - started) / 1000);
  }
}
