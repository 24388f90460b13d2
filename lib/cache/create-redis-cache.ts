import { createHash, randomUUID } from "node:crypto";
import { createClient, ErrorReply } from "redis";
import type { Logger } from "../log/create-logger.ts";
import type { Cache, MessageHandler, RateLimitResult } from "./cache.ts";
import { cacheUnavailable } from "./cache-metrics.ts";
import { CacheUnavailableError } from "./errors.ts";
import { COMPARE_AND_SET, RATE_LIMIT, STREAM_APPEND_UNIQUE } from "./scripts.ts";
import { checkStreamArguments } from "./stream-ids.ts";

export interface RedisCacheOptions {
  /** e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** Prefix of every key and channel. Default "". */
  keyPrefix?: string;
  /** A command not answered within this fails with CacheUnavailableError. Default 1000 ms. */
  commandTimeoutMs?: number;
  /** How long the first connection may take before `createRedisCache` fails. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts; they start at 50 ms and double. Default 2000 ms. */
  maxReconnectDelayMs?: number;
  log: Logger;
}

type RedisClient = ReturnType<typeof createClient>;

/**
 * createRedisCache is the `Cache` on Redis (node-redis 5). Connections reconnect on their own
 * with exponential backoff and jitter. There is no offline queue: while disconnected every call
 * fails at once with CacheUnavailableError, and a command that gets no answer within
 * `commandTimeoutMs` fails with it too. Atomic operations are Lua scripts (EVALSHA, loading the
 * script on NOSCRIPT). Resolves once connected; rejects with CacheUnavailableError if the first
 * connection is not made within `connectTimeoutMs`.
 */
export async function createRedisCache(options: RedisCacheOptions): Promise<Cache> {
  const { log } = options;
  const prefix = options.keyPrefix ?? "";
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 1000;
  let closed = false;

  // Logs the first error of each outage: node-redis emits 'error' for every failed reconnect.
  const watch = (client: RedisClient, role: string): RedisClient => {
    let wasDown = false;
    client.on("error", (err: Error) => {
      if (!wasDown) log.warn({ err, role }, "redis connection lost; reconnecting");
      wasDown = true;
    });
    client.on("ready", () => {
      if (wasDown) log.info({ role }, "redis reconnected");
      wasDown = false;
    });
    return client;
  };

  const client = watch(
    createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: connectTimeoutMs,
        reconnectStrategy: (retries: number) =>
          closed ? false : Math.min(50 * 2 ** retries, maxDelay) + Math.floor(Math.random() * 50),
      },
    }),
    "commands",
  );
  await connectWithin(client, connectTimeoutMs);
  let subscriber: Promise<RedisClient> | undefined;

  // Every call goes through here: fail fast while disconnected, translate transport failures.
  const call = async <T>(
    operation: string,
    run: () => Promise<T>,
    target: RedisClient = client,
  ): Promise<T> => {
    if (closed) throw new CacheUnavailableError("cache closed");
    if (!target.isReady) {
      cacheUnavailable.inc({ operation });
      throw new CacheUnavailableError("redis is not connected");
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // Our own timer rather than node-redis's `timeout` command option: measured on 5.12.1, a
      // command already written to a server that stopped answering (SIGSTOP) never timed out.
      // The abandoned command keeps its place in the reply queue, so a late reply is discarded
      // and never handed to a later command.
      return await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${commandTimeoutMs} ms`)),
            commandTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      // A reply from the server (WRONGTYPE, script error) is a bug to surface, not an outage.
      if (err instanceof ErrorReply) throw err;
      cacheUnavailable.inc({ operation });
      throw new CacheUnavailableError(`redis call failed: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  };

  const shas = new Map<string, string>();
  const evalScript = async (script: string, keys: string[], args: string[]) => {
    let sha = shas.get(script);
    if (!sha) {
      sha = createHash("sha1").update(script).digest("hex");
      shas.set(script, sha);
    }
    try {
      return await client.evalSha(sha, { keys, arguments: args });
    } catch (err) {
      if (err instanceof ErrorReply && err.message.startsWith("NOSCRIPT")) {
        return client.eval(script, { keys, arguments: args });
      }
      throw err;
    }
  };

  const getSubscriber = () => {
    subscriber ??= (async () => {
      // Same options, own connection: a subscribed connection can run nothing else.
      const sub = watch(client.duplicate(), "subscriber");
      await connectWithin(sub, connectTimeoutMs);
      return sub;
    })().catch((err) => {
      subscriber = undefined;
      throw err;
    });
    return subscriber;
  };

  return {
    kind: "redis",
    get: (key) => call("get", () => client.get(prefix + key)),
    set: (key, value, opts) =>
      call("set", async () => {
        if (opts?.ttlMs) await client.set(prefix + key, value, { PX: opts.ttlMs });
        else await client.set(prefix + key, value);
      }),
    del: (key) => call("del", async () => (await client.del(prefix + key)) > 0),
    setIfAbsent: (key, value, ttlMs) =>
      call(
        "setIfAbsent",
        async () => (await client.set(prefix + key, value, { PX: ttlMs, NX: true })) === "OK",
      ),
    compareAndSet: (key, expected, next, opts) =>
      call("compareAndSet", async () => {
        const args = [
          expected === null ? "1" : "0",
          expected ?? "",
          next,
          String(opts?.ttlMs ?? 0),
        ];
        return (await evalScript(COMPARE_AND_SET, [prefix + key], args)) === 1;
      }),
    rateLimit: (key, { limit, windowMs }) =>
      call("rateLimit", async (): Promise<RateLimitResult> => {
        const args = [String(limit), String(windowMs), randomUUID()];
        const reply = (await evalScript(RATE_LIMIT, [prefix + key], args)) as number[];
        const [allowed, remaining, retryAfterMs, resetMs] = reply;
        return {
          allowed: allowed === 1,
          remaining: remaining ?? 0,
          retryAfterMs: retryAfterMs ?? 0,
          resetMs: resetMs ?? 0,
        };
      }),
    publish: (channel, message) => call("publish", () => client.publish(prefix + channel, message)),
    async subscribe(channel, onMessage: MessageHandler) {
      if (closed) throw new CacheUnavailableError("cache closed");
      let sub: RedisClient;
      try {
        sub = await getSubscriber();
      } catch (err) {
        throw new CacheUnavailableError("redis subscriber could not connect", { cause: err });
      }
      const listener = (message: string) => {
        try {
          onMessage(message);
        } catch (err) {
          log.error({ err, channel }, "cache subscriber failed");
        }
      };
      await call("subscribe", () => sub.subscribe(prefix + channel, listener), sub);
      return async () => {
        if (!closed && sub.isReady) await sub.unsubscribe(prefix + channel, listener);
      };
    },
    async streamAppendUnique(key, entries, opts) {
      // Outside `call`: a bad argument is the caller's bug, not an outage.
      checkStreamArguments(entries, undefined);
      if (entries.length === 0) return [];
      return call("streamAppendUnique", async () => {
        const args = [String(opts.ttlMs), String(opts.maxLen ?? 0), String(entries.length)];
        for (const { unique, fields } of entries) {
          const pairs = Object.entries(fields);
          args.push(unique, String(pairs.length), ...pairs.flat());
        }
        const keys = [prefix + key, uniquesKey(prefix + key)];
        return (await evalScript(STREAM_APPEND_UNIQUE, keys, args)) as string[];
      });
    },
    async streamRange(key, opts) {
      checkStreamArguments(undefined, opts.after);
      return call("streamRange", async () => {
        // "(" makes the start exclusive (Redis 6.2+).
        const start = opts.after === undefined ? "-" : `(${opts.after}`;
        const rows = await client.xRange(prefix + key, start, "+", { COUNT: opts.count });
        return rows.map((row) => ({
          id: String(row.id),
          fields: Object.fromEntries(
            Object.entries(row.message).map(([field, value]) => [field, String(value)]),
          ),
        }));
      });
    },
    zAdd: (key, members) =>
      call("zAdd", () =>
        client.zAdd(
          prefix + key,
          members.map((m) => ({ score: m.score, value: m.value })),
        ),
      ),
    zRangeByScoreDesc: (key, opts) =>
      call("zRangeByScoreDesc", async () => {
        const max = opts.max === undefined ? "+inf" : String(opts.max);
        const min = opts.min === undefined ? "-inf" : String(opts.min);
        // ZRANGE … BYSCORE REV takes the bounds high first.
        const rows = await client.zRangeWithScores(prefix + key, max, min, {
          BY: "SCORE",
          REV: true,
          LIMIT: { offset: opts.offset ?? 0, count: opts.limit },
        });
        return rows.map((row) => ({ value: String(row.value), score: Number(row.score) }));
      }),
    zRem: (key, values) => call("zRem", () => client.zRem(prefix + key, [...values])),
    zCard: (key) => call("zCard", () => client.zCard(prefix + key)),
    ping: () =>
      call("ping", async () => {
        await client.ping();
      }),
    async close() {
      closed = true;
      const clients = [client, ...(subscriber ? [await subscriber.catch(() => undefined)] : [])];
      for (const c of clients) {
        if (!c) continue;
        if (c.isReady) await c.close().catch(() => c.destroy());
        else if (c.isOpen) c.destroy();
      }
    },
  };
}

/** The set of uniques a stream holds, beside it; both expire together. */
function uniquesKey(streamKey: string): string {
  return `${streamKey}:uniques`;
}

async function connectWithin(client: RedisClient, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection within ${ms} ms`)), ms);
      }),
    ]);
  } catch (err) {
    if (client.isOpen) client.destroy();
    throw new CacheUnavailableError(`redis unreachable: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
}
