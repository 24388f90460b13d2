import type pg from "pg";
import type { Logger } from "../log/create-logger.ts";
import { outboxOldestPendingAge, outboxPending } from "./metrics.ts";
import { OUTBOX_CHANNEL } from "./outbox-table.ts";
import { quoteIdent } from "./sql-identifier.ts";
import type { Bus } from "./types.ts";

export interface OutboxRelayOptions {
  pool: pg.Pool;
  /** The producing schema whose `outbox` this relay drains. */
  schema: string;
  bus: Bus;
  log: Logger;
  /** Rows claimed per transaction. Default 100. */
  batchSize?: number;
  /** Idle wait between polls when nothing is pending. Default 200 ms. */
  pollIntervalMs?: number;
  /** Ceiling of the backoff while the broker or database fails. Default 5000 ms. */
  maxBackoffMs?: number;
  /** Wake on `NOTIFY eco2_outbox` instead of waiting out the poll interval. Default true. */
  listen?: boolean;
  /** Sent rows are deleted once older than this (checked at most once a minute, 1,000 rows at a
   * time). They are kept a while to show what went out. Default 24 h. */
  retainSentMs?: number;
}

export interface OutboxRelay {
  /** Starts the loop in the background (idempotent). */
  start(): void;
  /** Stops after the current batch; that batch either commits its `sent_at` marks or rolls back. */
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  message_id: string;
  routing_key: string;
  type: string;
  payload: Buffer;
  headers: Record<string, string>;
}

/**
 * createOutboxRelay publishes `<schema>.outbox` rows in id order. Each batch claims pending rows
 * with `FOR UPDATE SKIP LOCKED` (so several replicas share the work without publishing a row
 * twice at once), publishes them with confirms, marks the confirmed ones sent and commits. A row
 * whose publish failed stays pending and is tried again; while the broker is unreachable the loop
 * backs off exponentially and catches up when it returns. Delivery is at-least-once: a crash
 * after a confirm but before the commit republishes that row, which idempotent consumers absorb.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { pool, schema, bus } = options;
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const log = options.log.child({ component: "outbox-relay", schema });
  const table = `${quoteIdent(schema)}.outbox`;
  const claim = `SELECT id, message_id, routing_key, type, payload, headers FROM ${table}
    WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`;
  const markSent = `UPDATE ${table} SET sent_at = now() WHERE id = ANY($1::bigint[])`;
  const pendingStats = `SELECT count(*)::int AS pending,
    COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
    FROM ${table} WHERE sent_at IS NULL`;

  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  // A notification that arrives mid-batch is kept, so the next sleep ends at once rather than
  // leaving that row for the next poll.
  let notified = false;
  let listener: pg.PoolClient | undefined;
  let metricsAt = 0;
  let prunedAt = 0;
  const retainSentMs = options.retainSentMs ?? 24 * 60 * 60 * 1000;
  const prune = `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table}
    WHERE sent_at < now() - make_interval(secs => $1) ORDER BY id LIMIT 1000)`;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (notified) {
        notified = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const relayBatch = async (): Promise<number> => {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<OutboxRow>(claim, [batchSize]);
      if (rows.length === 0) {
        await client.query("COMMIT");
        return 0;
      }
      // Sent together on one channel, so the broker receives them in id order.
      const results = await Promise.allSettled(
        rows.map((row) =>
          bus.publishEncoded({
            routingKey: row.routing_key,
            type: row.type,
            body: row.payload,
            messageId: row.message_id,
            correlationId: row.headers.correlation_id,
            traceparent: row.headers.traceparent,
          }),
        ),
      );
      const sent = rows.filter((_, i) => results[i]!.status === "fulfilled").map((r) => r.id);
      if (sent.length > 0) await client.query(markSent, [sent]);
      await client.query("COMMIT");
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      return sent.length;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  };

  const updateMetrics = async (force = false) => {
    if (!force && Date.now() - metricsAt < 1000) return;
    metricsAt = Date.now();
    try {
      const { rows } = await pool.query<{ pending: number; age: number }>(pendingStats);
      outboxPending.set({ schema }, rows[0]?.pending ?? 0);
      outboxOldestPendingAge.set({ schema }, rows[0]?.age ?? 0);
    } catch (err) {
      log.debug({ err }, "could not read outbox metrics");
    }
  };

  const pruneSent = async () => {
    if (Date.now() - prunedAt < 60_000) return;
    prunedAt = Date.now();
    try {
      await pool.query(prune, [retainSentMs / 1000]);
    } catch (err) {
      log.debug({ err }, "could not prune sent outbox rows");
    }
  };

  const ensureListening = async () => {
    if (options.listen === false || listener) return;
    try {
      const client = await pool.connect();
      client.on("error", (err) => {
        log.warn({ err }, "outbox listener lost; polling until it is back");
        if (listener === client) listener = undefined;
        client.release(true);
      });
      client.on("notification", (n) => {
        if (n.payload !== schema) return;
        if (wake) wake();
        else notified = true;
      });
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      listener = client;
    } catch (err) {
      log.debug({ err }, "could not LISTEN; polling");
    }
  };

  const run = async () => {
    let failures = 0;
    while (running) {
      await ensureListening();
      let published = 0;
      try {
        published = await relayBatch();
        if (failures > 0) log.info({ after_failures: failures }, "outbox relay recovered");
        failures = 0;
      } catch (err) {
        failures++;
        if (failures === 1 || failures % 20 === 0) {
          log.warn({ err, failures }, "outbox relay cannot publish; backing off");
        }
      }
      await updateMetrics(published > 0);
      if (failures === 0) await pruneSent();
      if (!running) break;
      if (failures > 0) {
        await sleep(Math.min(maxBackoffMs, pollIntervalMs * 2 ** Math.min(failures, 10)));
      } else if (published < batchSize) {
        await sleep(pollIntervalMs);
      }
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      loop = undefined;
      if (listener) {
        // Destroyed rather than returned: a pooled connection must not keep listening.
        listener.release(true);
        listener = undefined;
      }
      await updateMetrics(true);
    },
  };
}
