import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type pg from "pg";
import { openBus } from "../bus/open-bus.ts";
import type { Bus } from "../bus/types.ts";
import type { Cache } from "../cache/cache.ts";
import { openCache } from "../cache/open-cache.ts";
import { createPool } from "../db/create-pool.ts";
import { type DatabaseServer, openDatabase } from "../db/open-database.ts";
import type { Readiness } from "../health/readiness.ts";
import type { Logger } from "../log/create-logger.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { openObjectStore } from "../storage/open-object-store.ts";

export interface PlatformOptions {
  /** Unset: embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  /** Unset: the in-process cache. */
  redisUrl?: string;
  /** Unset: the in-process broker. */
  amqpUrl?: string;
  /** Where embedded defaults keep their files. */
  dataDir: string;
  /** Names the process's RabbitMQ connection and its PostgreSQL application_name. */
  processName: string;
  /** Unset: objects live in `<dataDir>/objects`. */
  s3?: { bucket: string; region?: string; endpoint?: string };
  /** Where signed URLs of the local store point: the gateway's public base URL. */
  publicBaseUrl: string;
  /** HMAC key of the local store's signed URLs. */
  objectUrlSecret: string;
  log: Logger;
}

/**
 * Platform is a process's data dependencies: one database server, one cache and one bus, each a
 * real server or its embedded default. Components share it and take a pool on their own schema.
 */
export interface Platform {
  readonly database: DatabaseServer;
  readonly cache: Cache;
  readonly bus: Bus;
  readonly objects: ObjectStore;
  /** The local store's media route settings, or undefined when objects live in S3. */
  readonly media?: { readonly basePath: string; readonly secret: string };
  /** pool gives a component a connection pool confined to its schema; closed with the platform. */
  pool(schema: string, options?: { max?: number }): pg.Pool;
  /** watch registers the platform's dependencies as readiness checks. */
  watch(readiness: Readiness): void;
  /** stopConsuming stops consumers and waits for the messages in flight (the drain phase). */
  stopConsuming(): Promise<void>;
  /** close closes pools, the cache and the embedded database (the close phase). */
  close(): Promise<void>;
}

export function describePlatform(
  options: Pick<PlatformOptions, "databaseUrl" | "redisUrl" | "amqpUrl" | "s3">,
) {
  return {
    database: options.databaseUrl ? "postgresql" : "embedded (PGlite)",
    cache: options.redisUrl ? "redis" : "embedded (in-process)",
    bus: options.amqpUrl ? "rabbitmq" : "embedded (in-process)",
    objects: options.s3 ? "s3" : "local folder",
  };
}

/** The path of the gateway route that serves the local store's signed URLs. */
export const MEDIA_BASE_PATH = "/media/";

/** The settings openPlatform reads, as lib/process/process-config.ts declares them. */
export interface PlatformConfig {
  readonly DATABASE_URL: string | undefined;
  readonly REDIS_URL: string | undefined;
  readonly AMQP_URL: string | undefined;
  readonly DATA_DIR: string;
  readonly S3_BUCKET: string | undefined;
  readonly S3_REGION: string;
  readonly S3_ENDPOINT: string | undefined;
  readonly OBJECT_URL_SECRET: string | undefined;
  readonly PUBLIC_BASE_URL: string | undefined;
}

/**
 * platformOptions turns the process configuration into openPlatform's options. `gatewayPort` is
 * where the public base URL points when PUBLIC_BASE_URL is unset.
 */
export function platformOptions(
  config: PlatformConfig,
  processName: string,
  log: Logger,
  gatewayPort = 8000,
): PlatformOptions {
  return {
    databaseUrl: config.DATABASE_URL,
    redisUrl: config.REDIS_URL,
    amqpUrl: config.AMQP_URL,
    dataDir: config.DATA_DIR,
    processName,
    log,
    s3: config.S3_BUCKET
      ? { bucket: config.S3_BUCKET, region: config.S3_REGION, endpoint: config.S3_ENDPOINT }
      : undefined,
    publicBaseUrl: config.PUBLIC_BASE_URL ?? `http://localhost:${gatewayPort}`,
    objectUrlSecret: config.OBJECT_URL_SECRET ?? randomBytes(32).toString("hex"),
  };
}

/** openPlatform opens the process's database, cache and bus, real or embedded per the URLs given. */
export async function openPlatform(options: PlatformOptions): Promise<Platform> {
  const { log } = options;
  const database = await openDatabase({
    url: options.databaseUrl,
    dataDir: join(options.dataDir, "pglite"),
    log,
  });
  const cache = await openCache({ url: options.redisUrl, keyPrefix: "eco2:", log });
  const bus = await openBus({ url: options.amqpUrl, log, connectionName: options.processName });
  const objects = openObjectStore({
    s3: options.s3,
    local: {
      dir: join(options.dataDir, "objects"),
      publicBaseUrl: `${options.publicBaseUrl.replace(/\/+$/, "")}${MEDIA_BASE_PATH}`,
      secret: options.objectUrlSecret,
    },
    log,
  });
  const pools = new Map<string, pg.Pool>();
  const pool = (schema: string, poolOptions: { max?: number } = {}) => {
    let existing = pools.get(schema);
    if (!existing) {
      existing = createPool({
        url: database.url,
        schema,
        max: poolOptions.max,
        applicationName: `${options.processName}_${schema}`,
        log,
      });
      pools.set(schema, existing);
    }
    return existing;
  };
  // Readiness asks PostgreSQL through a one-connection pool of its own, so a busy service pool
  // does not make the process look down.
  const probe = pool("public", { max: 1 });
  return {
    database,
    cache,
    bus,
    objects,
    media: options.s3 ? undefined : { basePath: MEDIA_BASE_PATH, secret: options.objectUrlSecret },
    pool,
    watch(readiness) {
      readiness.addCheck("postgres", () => probe.query("select 1"));
      readiness.addCheck("redis", () => cache.ping());
      readiness.addCheck("rabbitmq", () => bus.ping());
    },
    stopConsuming: () => bus.close(),
    async close() {
      await Promise.allSettled([...pools.values()].map((p) => p.end()));
      await cache.close();
      await database.close();
    },
  };
}
