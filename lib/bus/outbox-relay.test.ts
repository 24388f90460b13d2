import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import pg from "pg";
import { ScanRequestedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { realServers, skipReason, uniqueName } from "../../test/support/servers.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { sleep, waitFor } from "../../test/support/wait-for.ts";
import { runWithContext } from "../context/request-context.ts";
import { EmbeddedBroker } from "./embedded-broker.ts";
import { createEmbeddedBus } from "./embedded-bus.ts";
import { enqueueEvent } from "./enqueue-event.ts";
import { outboxOldestPendingAge, outboxPending } from "./metrics.ts";
import { createOutboxRelay } from "./outbox-relay.ts";
import { ensureOutboxTable } from "./outbox-table.ts";
import type { Bus, MessageMeta } from "./types.ts";

/** The relay against real PostgreSQL, publishing to the embedded broker (the RabbitMQ side is in
 * bus.fault.test.ts). */
const skip = skipReason(realServers.databaseUrl, "DATABASE_URL");

describe.skipIf(skip !== undefined)(`outbox relay ${skip ?? ""}`, () => {
  const schema = uniqueName("outbox");
  let pool: pg.Pool;
  let bus: Bus;
  const received: { jobId: string; meta: MessageMeta }[] = [];

  const enqueue = async (jobIds: string[], commit = true) => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      for (const jobId of jobIds) {
        await enqueueEvent(client, {
          schema,
          routingKey: "scan.requested",
          schemaDesc: ScanRequestedSchema,
          event: { jobId },
        });
      }
      await client.query(commit ? "COMMIT" : "ROLLBACK");
    } finally {
      client.release();
    }
  };
  const pending = async () =>
    Number(
      (await pool.query(`SELECT count(*) AS n FROM ${schema}.outbox WHERE sent_at IS NULL`)).rows[0]
        .n,
    );
  const gauge = async (metric: typeof outboxPending) =>
    (await metric.get()).values.find((v) => v.labels.schema === schema)?.value;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: realServers.databaseUrl, max: 8 });
    await ensureOutboxTable(pool, schema);
    bus = createEmbeddedBus({ log: silentLog, broker: new EmbeddedBroker() });
    await bus.consume({
      name: uniqueName("relay_sink"),
      bindings: ["scan.requested"],
      prefetch: 1,
      schemas: [ScanRequestedSchema],
      handler: (event, meta) => {
        received.push({ jobId: event.jobId, meta });
        return "ack";
      },
    });
  });

  afterAll(async () => {
    await bus.close();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  test("publishes committed rows in order, with the enqueuing request's ids; rolled-back rows never", async () => {
    received.length = 0;
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const traceparent = `00-${traceId}-b7ad6b7169203331-01`;
    await runWithContext({ requestId: "req-outbox", traceparent, traceId, userId: "" }, () =>
      enqueue(["o-1", "o-2", "o-3"]),
    );
    await enqueue(["rolled-back"], false);
    await enqueue(["o-4"]);
    const relay = createOutboxRelay({ pool, schema, bus, log: silentLog, batchSize: 2 });
    relay.start();
    await waitFor("4 delivered", () => received.length === 4);
    await sleep(300);
    await relay.stop();
    expect(received.map((r) => r.jobId)).toEqual(["o-1", "o-2", "o-3", "o-4"]);
    expect(received[0]!.meta.correlationId).toBe("req-outbox");
    expect(received[0]!.meta.traceparent).toBe(traceparent);
    expect(await pending()).toBe(0);
    expect(await gauge(outboxPending)).toBe(0);
  });

  test("NOTIFY wakes an idle relay long before its poll interval", async () => {
    received.length = 0;
    const relay = createOutboxRelay({ pool, schema, bus, log: silentLog, pollIntervalMs: 30_000 });
    relay.start();
    await sleep(300); // first, empty poll done; now sleeping 30 s unless woken
    const started = Date.now();
    await enqueue(["woken"]);
    await waitFor("delivered", () => received.length === 1, 3000);
    expect(Date.now() - started).toBeLessThan(3000);
    await relay.stop();
  });

  test("two relays on one outbox publish each row once (FOR UPDATE SKIP LOCKED)", async () => {
    received.length = 0;
    const ids = Array.from({ length: 400 }, (_, i) => `pair-${i}`);
    for (let i = 0; i < ids.length; i += 50) await enqueue(ids.slice(i, i + 50));
    const relays = [1, 2].map(() =>
      createOutboxRelay({ pool, schema, bus, log: silentLog, batchSize: 20, listen: false }),
    );
    for (const r of relays) r.start();
    await waitFor("400 delivered", () => received.length >= 400, 15_000);
    await sleep(300);
    await Promise.all(relays.map((r) => r.stop()));
    expect(received).toHaveLength(400);
    expect(new Set(received.map((r) => r.meta.messageId)).size).toBe(400);
  });

  test("sent rows older than the retention are pruned, recent ones kept", async () => {
    await enqueue(["sent-long-ago", "sent-just-now"]);
    await pool.query(`UPDATE ${schema}.outbox SET sent_at = now() WHERE sent_at IS NULL`);
    await pool.query(
      `UPDATE ${schema}.outbox SET sent_at = now() - interval '2 hours' WHERE payload = $1`,
      [Buffer.from([0x0a, 13, ...Buffer.from("sent-long-ago")])],
    );
    const jobs = async () =>
      (await pool.query(`SELECT count(*) AS n FROM ${schema}.outbox`)).rows[0].n as string;
    const before = Number(await jobs());
    const relay = createOutboxRelay({ pool, schema, bus, log: silentLog, retainSentMs: 3_600_000 });
    relay.start();
    await waitFor("pruned", async () => Number(await jobs()) === before - 1);
    await relay.stop();
  });

  test("pending count and oldest age are exported while rows wait", async () => {
    await enqueue(["waits-1", "waits-2"]);
    await pool.query(
      `UPDATE ${schema}.outbox SET created_at = now() - interval '90 seconds' WHERE sent_at IS NULL`,
    );
    const stalled = createEmbeddedBus({
      log: silentLog,
      broker: new EmbeddedBroker(),
      exchange: "x",
    });
    await stalled.close(); // every publish now fails: the rows stay pending
    const relay = createOutboxRelay({ pool, schema, bus: stalled, log: silentLog });
    relay.start();
    await waitFor("gauges", async () => (await gauge(outboxPending)) === 2);
    expect(await gauge(outboxOldestPendingAge)).toBeGreaterThanOrEqual(90);
    await relay.stop();
    expect(await pending()).toBe(2);
    await pool.query(`DELETE FROM ${schema}.outbox WHERE sent_at IS NULL`);
  });
});
