import { address, oneOf, positiveInt, text } from "../config/validators.ts";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Settings every Eco² process reads, with their defaults. */
export const processConfigSpecs = {
  LOG_LEVEL: oneOf(LOG_LEVELS, { default: "info" }),
  /** gRPC implementation for servers and clients; grpc-js is the faster one on Bun. */
  RPC_TRANSPORT: oneOf(["grpc-js", "connect"] as const, { default: "grpc-js" }),
  /** How long a graceful stop may take before the process exits 1. */
  SHUTDOWN_DEADLINE_MS: positiveInt({ default: 10_000 }),
  /** Unset: embedded PGlite. Set: a real PostgreSQL server. */
  DATABASE_URL: address({ default: undefined, desc: "a postgres:// URL" }),
  /** Unset: in-process cache. Set: a real Redis server. */
  REDIS_URL: address({ default: undefined, desc: "a redis:// URL" }),
  /** Unset: in-process broker. Set: a real RabbitMQ server. */
  AMQP_URL: address({ default: undefined, desc: "an amqp:// URL" }),
  /** Where embedded defaults keep their files (PGlite data, local objects). */
  DATA_DIR: text({ default: ".data" }),
  /** Unset: objects live in `<DATA_DIR>/objects`, served by the gateway's /media/ route. */
  S3_BUCKET: text({ default: undefined }),
  S3_REGION: text({ default: "ap-northeast-2" }),
  /** An S3-compatible endpoint (MinIO, a local stand-in); unset for AWS. */
  S3_ENDPOINT: address({ default: undefined, desc: "an http(s):// URL" }),
  /**
   * HMAC key of the local store's signed URLs. Unset: a random key per process start, which is
   * right for the all-in-one process; set the same value everywhere when processes run apart.
   */
  OBJECT_URL_SECRET: text({ default: undefined }),
  /** The gateway's public base URL, for URLs handed to clients; default http://localhost:<PORT>. */
  PUBLIC_BASE_URL: address({ default: undefined, desc: "an http(s):// URL" }),
};
