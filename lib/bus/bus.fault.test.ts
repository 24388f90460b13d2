import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import pg from "pg";
import { ScanRequestedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { closeRabbitConnections, deleteRabbitExchanges } from "../../test/support/rabbit-admin.ts";
import { realServers, skipReason, uniqueName } from "../../test/support/servers.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { startTcpProxy, type TcpProxy } from "../../test/support/tcp-proxy.ts";
import { gate, sleep, waitFor } from "../../test/support/wait-for.ts";
import { enqueueEvent } from "./enqueue-event.ts";
import { isPublishTimeoutError } from "./errors.ts";
import { createIdempotentHandler } from "./idempotent-handler.ts";
import { outboxPending } from "./metrics.ts";
import { openBus } from "./open-bus.ts";
import { createOutboxRelay } from "./outbox-relay.ts";
import { ensureOutboxTable } from "./outbox-table.ts";
import { ensureProcessedMessagesTable } from "./processed-messages.ts";
import { type ConsumerTopology, deadLetterQueueName, workQueueName } from "./topology.ts";
import type { Bus, HandlerOutcome, MessageMeta } from "./types.ts";

/**
 * Fault tests against the real RabbitMQ and PostgreSQL. Each counts effects in a table without a
 * unique key, so a lost message shows as a missing row and a double-applied one as an extra row.
 * Faults are made from outside the code under test: `rabbitmqctl close_connection` (broker side)
 * for one named connection, or a loopback TCP proxy in front of the broker that the test cuts.
 */
const skip =
  skipReason(realServers.amqpUrl, "AMQP_URL") ??
  skipReason(realServers.databaseUrl, "DATABASE_URL");

describe.skipIf(skip !== undefined)(`bus faults: RabbitMQ + PostgreSQL ${skip ?? ""}`, () => {
  const amqpUrl = realServers.amqpUrl!;
  const exchange = uniqueName("fault_ex");
  const schema = uniqueName("bus_fault");
  let pool: pg.Pool;
  const buses: Bus[] = [];
  const topologies: ConsumerTopology[] = [];
  let proxy: TcpProxy | undefined;

  const open = async (connectionName: string, url = amqpUrl, publishTimeoutMs = 5000) => {
    const bus = await openBus({ url, log: silentLog, exchange, connectionName, publishTimeoutMs });
    buses.push(bus);
    return bus;
  };

  /** The consumer under test: records each applied message in `effects`, idempotently. */
  const effectHandler = (
    consumer: string,
    after?: (outcome: HandlerOutcome, meta: MessageMeta) => Promise<void>,
  ) => {
    const inner = createIdempotentHandler<typeof ScanRequestedSchema>(
      { pool, schema, consumer },
      async (event, tx, meta) => {
        await tx.query(`INSERT INTO ${schema}.effects (message_id, job_id) VALUES ($1, $2)`, [
          meta.messageId,
          event.jobId,
        ]);
        return "ack" as const;
      },
    );
    return async (event: Parameters<typeof inner>[0], meta: MessageMeta) => {
      const outcome = (await inner(event, meta)) ?? "ack";
      await after?.(outcome, meta);
      return outcome;
    };
  };

  /** Commits n state changes, each with its outbox row, 8 transactions at a time. */
  const commitStateChanges = async (n: number, prefix: string, routingKey: string) => {
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const jobId = `${prefix}-${next++}`;
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          await client.query(`INSERT INTO ${schema}.scans (job_id) VALUES ($1)`, [jobId]);
          await enqueueEvent(client, {
            schema,
            routingKey,
            schemaDesc: ScanRequestedSchema,
            event: { jobId, userId: "u", imageUrl: "x" },
          });
          await client.query("COMMIT");
        } finally {
          client.release();
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  };

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await pool.query(sql, params)).rows[0].n);
  const effectsFor = (prefix: string) =>
    count(`SELECT count(*) AS n FROM ${schema}.effects WHERE job_id LIKE $1`, [`${prefix}-%`]);
  const distinctEffectsFor = (prefix: string) =>
    count(`SELECT count(DISTINCT job_id) AS n FROM ${schema}.effects WHERE job_id LIKE $1`, [
      `${prefix}-%`,
    ]);
  const pendingOutbox = () =>
    count(`SELECT count(*) AS n FROM ${schema}.outbox WHERE sent_at IS NULL`);
  const topology = (extra: Partial<ConsumerTopology> = {}): ConsumerTopology => {
    // Each test its own routing key: consumers left running by one test must not see the next's.
    const name = uniqueName("fault");
    const t = { name, bindings: [`scan.${name}`], ...extra };
    topologies.push(t);
    return t;
  };

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: realServers.databaseUrl, max: 16 });
    await ensureOutboxTable(pool, schema);
    await ensureProcessedMessagesTable(pool, schema);
    await pool.query(`CREATE TABLE ${schema}.scans (job_id text PRIMARY KEY)`);
    // No unique key on purpose: a double-applied message must show up as a second row.
    await pool.query(
      `CREATE TABLE ${schema}.effects (message_id text NOT NULL, job_id text NOT NULL)`,
    );
  });

  afterAll(async () => {
    await proxy?.close();
    const admin = await openBus({ url: amqpUrl, log: silentLog, exchange });
    for (const t of topologies) await admin.deleteConsumer(t).catch(() => undefined);
    await admin.close();
    // A bus whose handler a failed test left hanging cannot close gracefully; drop it.
    for (const bus of buses) {
      await Promise.race([bus.close().catch(() => undefined), sleep(2000)]);
      bus.unsafeDestroy();
    }
    await deleteRabbitExchanges(amqpUrl, [exchange, `${exchange}.retry`]);
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  }, 30_000);

  test("RabbitMQ closes the connections mid-stream: the outbox resumes, each event applied once", async () => {
    const t = topology();
    const relayName = uniqueName("relay");
    const consumerName = uniqueName("consumer");
    const relayBus = await open(relayName);
    const consumerBus = await open(consumerName);
    await consumerBus.consume({
      ...t,
      schemas: [ScanRequestedSchema],
      handler: effectHandler(t.name),
    });
    const n = 2000;
    await commitStateChanges(n, "midstream", t.bindings[0]!);
    const relay = createOutboxRelay({
      pool,
      schema,
      bus: relayBus,
      log: silentLog,
      batchSize: 50,
      maxBackoffMs: 500,
    });
    relay.start();
    try {
      await waitFor("first effects", async () => (await effectsFor("midstream")) >= 300, 20_000);
      const closedFirst =
        (await closeRabbitConnections(relayName)) + (await closeRabbitConnections(consumerName));
      await waitFor("more effects", async () => (await effectsFor("midstream")) >= 1200, 20_000);
      const closedSecond = await closeRabbitConnections(relayName);
      expect(closedFirst).toBe(2);
      expect(closedSecond).toBe(1);
      await waitFor(
        "all delivered",
        async () => (await distinctEffectsFor("midstream")) === n,
        30_000,
      );
      await waitFor("outbox drained", async () => (await pendingOutbox()) === 0, 10_000);
      await sleep(300);
      expect(await effectsFor("midstream")).toBe(n);
      expect(await distinctEffectsFor("midstream")).toBe(n);
    } finally {
      await relay.stop();
    }
  }, 60_000);

  test("a consumer that dies after committing but before acking: the redelivery is recognised", async () => {
    const t = topology();
    const dyingName = uniqueName("dying");
    const committed = gate();
    const hang = gate();
    const dying = await open(dyingName);
    await dying.consume({
      ...t,
      schemas: [ScanRequestedSchema],
      handler: effectHandler(t.name, async () => {
        committed.open();
        await hang.wait; // never acks: the test cuts the connection here
      }),
    });
    const publisher = await open(uniqueName("pub"));
    await publisher.publish(ScanRequestedSchema, t.bindings[0]!, { jobId: "died-0" });
    await committed.wait;
    expect(await effectsFor("died")).toBe(1);

    expect(await closeRabbitConnections(dyingName)).toBe(1);
    const seen: { outcome: HandlerOutcome; redelivered: boolean }[] = [];
    const survivor = await open(uniqueName("survivor"));
    await survivor.consume({
      ...t,
      schemas: [ScanRequestedSchema],
      handler: effectHandler(t.name, async (outcome, meta) => {
        seen.push({ outcome, redelivered: meta.redelivered });
      }),
    });
    await waitFor("redelivery", () => seen.length === 1);
    expect(seen).toEqual([{ outcome: "duplicate", redelivered: true }]);
    hang.open();
    await sleep(200);
    dying.unsafeDestroy();
    expect(await effectsFor("died")).toBe(1);
    expect((await survivor.queueStats(workQueueName(t.name))).messages).toBe(0);
  });

  test("a throwing consumer retries with backoff, rolls back each time, then dead-letters with history", async () => {
    const t = topology({ maxAttempts: 4, retryBaseMs: 100 });
    const bus = await open(uniqueName("thrower"));
    const attempts: { attempt: number; at: number }[] = [];
    await bus.consume({
      ...t,
      schemas: [ScanRequestedSchema],
      handler: createIdempotentHandler<typeof ScanRequestedSchema>(
        { pool, schema, consumer: t.name },
        async (event, tx, meta) => {
          attempts.push({ attempt: meta.attempt, at: Date.now() });
          await tx.query(`INSERT INTO ${schema}.effects (message_id, job_id) VALUES ($1, $2)`, [
            meta.messageId,
            event.jobId,
          ]);
          throw new Error(`downstream refused (attempt ${meta.attempt})`);
        },
      ),
    });
    const id = await bus.publish(ScanRequestedSchema, t.bindings[0]!, { jobId: "throws-0" });
    await waitFor(
      "dead letter",
      async () => (await bus.queueStats(deadLetterQueueName(t.name))).messages === 1,
    );
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    expect(gaps[0]!).toBeGreaterThanOrEqual(90);
    expect(gaps[1]!).toBeGreaterThanOrEqual(190);
    expect(gaps[2]!).toBeGreaterThanOrEqual(390);
    const [dead] = await bus.takeDeadLetters(t.name);
    expect(dead!.headers).toMatchObject({
      message_id: id,
      attempt: 4,
      "x-last-error": "downstream refused (attempt 4)",
      "x-original-routing-key": t.bindings[0]!,
      type: "eco2.events.v1.ScanRequested",
    });
    expect(Date.parse(String(dead!.headers["x-first-failed-at"]))).toBeLessThanOrEqual(
      attempts[1]!.at,
    );
    expect(await effectsFor("throws")).toBe(0);
    expect(
      await count(`SELECT count(*) AS n FROM ${schema}.processed_messages WHERE message_id = $1`, [
        id,
      ]),
    ).toBe(0);
  });

  test("outbox acceptance: 1,000 state changes committed while the broker is unreachable are all delivered once", async () => {
    const t = topology();
    proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(amqpUrl).port || 5672) });
    proxy.cut();
    const proxied = new URL(amqpUrl);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    const relayBus = await open(uniqueName("relay_proxied"), proxied.toString(), 1000);
    const consumerBus = await open(uniqueName("consumer"));
    await consumerBus.consume({
      ...t,
      schemas: [ScanRequestedSchema],
      handler: effectHandler(t.name),
    });

    const relay = createOutboxRelay({
      pool,
      schema,
      bus: relayBus,
      log: silentLog,
      maxBackoffMs: 1000,
    });
    relay.start();
    try {
      await commitStateChanges(1000, "accept", t.bindings[0]!);
      await sleep(1500);
      // Broker unreachable: nothing got through, everything is still pending.
      expect(await effectsFor("accept")).toBe(0);
      expect(await pendingOutbox()).toBe(1000);
      await expect(relayBus.ping()).rejects.toThrow();
      const pendingMetric = (await outboxPending.get()).values.find(
        (v) => v.labels.schema === schema,
      );
      expect(pendingMetric?.value).toBe(1000);

      proxy.restore();
      await waitFor(
        "1000 applied",
        async () => (await distinctEffectsFor("accept")) === 1000,
        30_000,
      );
      await waitFor("outbox drained", async () => (await pendingOutbox()) === 0, 10_000);
      await relayBus.ping();
      await sleep(300);
      expect(await effectsFor("accept")).toBe(1000);
      expect(
        await count(
          `SELECT count(*) AS n FROM ${schema}.scans s JOIN ${schema}.effects e USING (job_id) WHERE s.job_id LIKE 'accept-%'`,
        ),
      ).toBe(1000);
    } finally {
      await relay.stop();
    }
    const after = (await outboxPending.get()).values.find((v) => v.labels.schema === schema);
    expect(after?.value).toBe(0);
  }, 60_000);

  test("a publish the broker cannot confirm fails with PublishTimeoutError", async () => {
    const cutProxy = await startTcpProxy({
      host: "127.0.0.1",
      port: Number(new URL(amqpUrl).port || 5672),
    });
    cutProxy.cut();
    const url = new URL(amqpUrl);
    url.port = String(cutProxy.port);
    const bus = await open(uniqueName("timeout"), url.toString(), 300);
    const started = Date.now();
    const err = await bus
      .publish(ScanRequestedSchema, "scan.timeout", { jobId: "t" })
      .catch((e) => e);
    expect(isPublishTimeoutError(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    bus.unsafeDestroy();
    await cutProxy.close();
  });

  test("prefetch is re-applied after the broker drops the consumer's connection", async () => {
    const t = topology();
    const name = uniqueName("prefetch");
    const bus = await open(name);
    const release = gate();
    let active = 0;
    let done = 0;
    let connected = false;
    await bus.consume({
      ...t,
      prefetch: 2,
      schemas: [ScanRequestedSchema],
      handler: async () => {
        active++;
        await release.wait;
        active--;
        done++;
        return "ack" as const;
      },
    });
    await waitFor(
      "consumer attached",
      async () => (await bus.queueStats(workQueueName(t.name))).consumers === 1,
    );
    expect(await closeRabbitConnections(name)).toBe(1);
    await waitFor("consumer re-attached", async () => {
      connected =
        (await bus.queueStats(workQueueName(t.name)).catch(() => ({ consumers: 0 }))).consumers ===
        1;
      return connected;
    });
    const publisher = await open(uniqueName("pub"));
    for (let i = 0; i < 6; i++)
      await publisher.publish(ScanRequestedSchema, t.bindings[0]!, { jobId: `pf-${i}` });
    await waitFor("2 in flight", () => active === 2);
    await sleep(200);
    expect(active).toBe(2);
    expect((await publisher.queueStats(workQueueName(t.name))).messages).toBe(4);
    release.open();
    await waitFor("all handled", () => done === 6);
  });
});
