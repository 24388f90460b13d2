// The RPC kit: one way to serve and call the generated services over either gRPC implementation.
export {
  AUTH_PROVIDER_HEADER,
  callerProvider,
  contextFromHeaders,
  forwardedHeaders,
  REQUEST_ID_HEADER,
  requireUserId,
  TRACEPARENT_HEADER,
  USER_ID_HEADER,
} from "./call-context.ts";
export {
  createRpcClient,
  type RetryOptions,
  type RpcClient,
  type RpcClientOptions,
} from "./client.ts";
export { domainError, ERROR_CODE_METADATA } from "./domain-error.ts";
export { codeName, isRetryable, toConnectError } from "./errors.ts";
export { grpcJsDefinition } from "./grpc-js-definition.ts";
// Lower layers, for lib/ and tests only.
export { createGrpcJsTransport } from "./grpc-js-transport.ts";
export { LIVENESS_SERVICE } from "./health-service.ts";
export {
  createRpcServer,
  defineService,
  type RpcServer,
  type RpcServerOptions,
  type RpcTransport,
  type ServiceRegistration,
} from "./server.ts";
