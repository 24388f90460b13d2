export {
  collectProcessMetrics,
  dependencyUp,
  httpDuration,
  httpRequests,
  LATENCY_BUCKETS,
  registry,
  rpcClientDuration,
  rpcClientHandled,
  rpcServerDuration,
  rpcServerHandled,
} from "./registry.ts";
