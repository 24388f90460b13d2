import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fromBinary } from "@bufbuild/protobuf";
import pg from "pg";
import { ScanRequestedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { deleteRabbitExchanges } from "../../test/support/rabbit-admin.ts";
import { realServers, skipReason, uniqueName } from "../../test/support/servers.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import { gate, sleep, waitFor } from "../../test/support/wait-for.ts";
import { currentContext, runWithContext } from "../context/request-context.ts";
import { type DatabaseServer, openDatabase } from "../db/open-database.ts";
import { EmbeddedBroker } from "./embedded-broker.ts";
import { createIdempotentHandler } from "./idempotent-handler.ts";
import { busConsumed } from "./metrics.ts";
import { openBus } from "./open-bus.ts";
import { ensureProcessedMessagesTable } from "./processed-messages.ts";
import { type ConsumerTopology, deadLetterQueueName, workQueueName } from "./topology.ts";
import type { Bus, ConsumeOptions, MessageMeta } from "./types.ts";

/**
 * The bus contract, run once per adapter: whatever `openBus` returns must route, confirm, retry,
 * dead-letter, redeliver and honour prefetch the same way. The tests that need a transaction use
 * the real PostgreSQL when DATABASE_URL is set.
 */
function busContract(adapter: "embedded" | "rabbitmq", skip: string | undefined) {
  const exchange = uniqueName("contract_ex");
  const broker = new EmbeddedBroker();
  const connectionName = uniqueName("contract");
  const open = () =>
    openBus({
      url: adapter === "rabbitmq" ? realServers.amqpUrl : undefined,
      log: silentLog,
      broker,
      exchange,
      connectionName,
    });
  // The embedded bus runs with the embedded database, as `npm start` does; RabbitMQ with the real
  // PostgreSQL, as CI and Kubernetes do.
  const embeddedDb = adapter === "embedded";
  const dbSkip = embeddedDb ? skip : (skip ?? skipReason(realServers.databaseUrl, "DATABASE_URL"));
  let bus: Bus;
  const topologies: ConsumerTopology[] = [];
  const buses: Bus[] = [];

  /** consume with cleanup: the queues are deleted after the suite. */
  const consume = async (on: Bus, options: ConsumeOptions<typeof ScanRequestedSchema>) => {
    topologies.push(options);
    return on.consume(options);
  };
  const topology = (bindings: string[], extra: Partial<ConsumerTopology> = {}) => ({
    name: uniqueName("c"),
    bindings,
    ...extra,
  });
  const scan = (jobId: string) => ({ jobId, userId: "u1", imageUrl: "x" });

  describe.skipIf(skip !== undefined)(`bus contract: ${adapter} ${skip ?? ""}`, () => {
    beforeAll(async () => {
      bus = await open();
      buses.push(bus);
    });

    afterAll(async () => {
      for (const t of topologies) await bus.deleteConsumer(t).catch(() => undefined);
      for (const b of buses) {
        await Promise.race([b.close().catch(() => undefined), sleep(2000)]);
        b.unsafeDestroy();
      }
      if (adapter === "rabbitmq") {
        await deleteRabbitExchanges(realServers.amqpUrl!, [exchange, `${exchange}.retry`]);
      }
    });

    test("routes by topic pattern: * is one word, # is any number", async () => {
      const got: Record<string, string[]> = { a: [], b: [], c: [] };
      const make = (key: string, bindings: string[]) =>
        consume(bus, {
          ...topology(bindings),
          schemas: [ScanRequestedSchema],
          handler: (_e, meta) => {
            got[key]!.push(meta.routingKey);
            return "ack";
          },
        });
      await make("a", ["scan.*"]);
      await make("b", ["#.completed"]);
      await make("c", ["chat.answered", "chat.#.x"]);
      for (const key of [
        "scan.requested",
        "scan.completed",
        "chat.answered",
        "chat.message_requested",
        "chat.x",
        "chat.a.b.x",
        "scan.a.b",
      ]) {
        await bus.publish(ScanRequestedSchema, key, scan(key));
      }
      await waitFor("routed messages", () => got.a!.length + got.b!.length + got.c!.length >= 6);
      await sleep(100);
      expect(got.a!.sort()).toEqual(["scan.completed", "scan.requested"]);
      expect(got.b!).toEqual(["scan.completed"]);
      expect(got.c!.sort()).toEqual(["chat.a.b.x", "chat.answered", "chat.x"]);
    });

    test("a confirmed publish is on the queue, with its headers, before anyone consumes", async () => {
      const t = topology(["scan.requested"]);
      topologies.push(t);
      await bus.declareConsumer(t);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push(await bus.publish(ScanRequestedSchema, "scan.requested", scan(`j${i}`)));
      }
      expect((await bus.queueStats(workQueueName(t.name))).messages).toBe(3);

      const seen: { jobId: string; meta: MessageMeta }[] = [];
      await consume(bus, {
        ...t,
        schemas: [ScanRequestedSchema],
        handler: (event, meta) => {
          seen.push({ jobId: event.jobId, meta });
          return "ack";
        },
      });
      await waitFor("3 deliveries", () => seen.length === 3);
      expect(seen.map((s) => s.jobId)).toEqual(["j0", "j1", "j2"]);
      expect(seen.map((s) => s.meta.messageId)).toEqual(ids);
      const meta = seen[0]!.meta;
      expect(meta.attempt).toBe(1);
      expect(meta.type).toBe("eco2.events.v1.ScanRequested");
      expect(meta.correlationId).toBe(ids[0]!);
      expect(meta.headers.message_id).toBe(ids[0]!);
      expect(meta.redelivered).toBe(false);
      await waitFor("acked", async () => (await bus.queueStats(meta.queue)).messages === 0);
    });

    test("carries the publisher's trace and request id into the handler's context", async () => {
      const t = topology(["scan.requested"]);
      let inHandler: { tp: string; traceId?: string; requestId?: string } | undefined;
      await consume(bus, {
        ...t,
        schemas: [ScanRequestedSchema],
        handler: (_e, meta) => {
          const ctx = currentContext();
          inHandler = { tp: meta.traceparent, traceId: ctx?.traceId, requestId: ctx?.requestId };
          return "ack";
        },
      });
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;
      await runWithContext({ requestId: "req-77", traceparent, traceId, userId: "u" }, () =>
        bus.publish(ScanRequestedSchema, "scan.requested", scan("t")),
      );
      await waitFor("delivery", () => inHandler !== undefined);
      expect(inHandler).toEqual({ tp: traceparent, traceId, requestId: "req-77" });
    });

    test("a throwing handler is retried with exponential backoff, then dead-lettered with its history", async () => {
      const t = topology(["scan.requested"], { maxAttempts: 3, retryBaseMs: 100 });
      const calls: { attempt: number; at: number }[] = [];
      await consume(bus, {
        ...t,
        schemas: [ScanRequestedSchema],
        handler: (_e, meta) => {
          calls.push({ attempt: meta.attempt, at: Date.now() });
          throw new Error(`boom ${meta.attempt}`);
        },
      });
      const started = Date.now();
      const id = await bus.publish(ScanRequestedSchema, "scan.requested", scan("r"));
      const dlq = deadLetterQueueName(t.name);
      await waitFor("dead letter", async () => (await bus.queueStats(dlq)).messages === 1);
      expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
      // TTL expiry is not exact to the millisecond; allow 10 ms of early firing.
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(90);
      expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(190);
      const [dead] = await bus.takeDeadLetters(t.name);
      expect(dead).toBeDefined();
      const h = dead!.headers;
      expect(h.message_id).toBe(id);
      expect(Number(h.attempt)).toBe(3);
      expect(h["x-last-error"]).toBe("boom 3");
      expect(h["x-original-routing-key"]).toBe("scan.requested");
      const firstFailed = Date.parse(String(h["x-first-failed-at"]));
      expect(firstFailed).toBeGreaterThanOrEqual(started - 5);
      expect(firstFailed).toBeLessThanOrEqual(calls[1]!.at);
      expect(fromBinary(ScanRequestedSchema, dead!.body).jobId).toBe("r");
      await sleep(300);
      expect(calls).toHaveLength(3);
    });

    test("explicit outcomes: retry waits and comes back, dead_letter goes straight to the DLQ", async () => {
      const t = topology(["scan.requested"], { maxAttempts: 5, retryBaseMs: 50 });
      const attempts: number[] = [];
      await consume(bus, {
        ...t,
        schemas: [ScanRequestedSchema],
        handler: (_e, meta) => {
          attempts.push(meta.attempt);
          return meta.attempt === 1 ? "retry" : "dead_letter";
        },
      });
      await bus.publish(ScanRequestedSchema, "scan.requested", scan("o"));
      const dlq = deadLetterQueueName(t.name);
      await waitFor("dead letter", async () => (await bus.queueStats(dlq)).messages === 1);
      expect(attempts).toEqual([1, 2]);
      const [dead] = await bus.takeDeadLetters(t.name);
      expect(Number(dead!.headers.attempt)).toBe(2);
      expect(dead!.headers["x-last-error"]).toBe("handler chose dead_letter");
    });

    test("an undecodable message (unknown type or bad protobuf) is dead-lettered without retry", async () => {
      const t = topology(["scan.requested"], { retryBaseMs: 50 });
      let calls = 0;
      await consume(bus, {
        ...t,
        schemas: [ScanRequestedSchema],
        handler: () => {
          calls++;
          return "ack";
        },
      });
      const base = { routingKey: "scan.requested", body: new Uint8Array([8, 1]) };
      await bus.publishEncoded({ ...base, type: "eco2.events.v1.Nope", messageId: "m-unknown" });
      await bus.publishEncoded({
        routingKey: "scan.requested",
        type: ScanRequestedSchema.typeName,
        body: new Uint8Array([0x0a, 0xff, 0xff]),
        messageId: "m-garbage",
      });
      const dlq = deadLetterQueueName(t.name);
      await waitFor("2 dead letters", async () => (await bus.queueStats(dlq)).messages === 2);
      expect(calls).toBe(0);
      const dead = await bus.takeDeadLetters(t.name);
      const byId = Object.fromEntries(dead.map((d) => [String(d.headers.message_id), d.headers]));
      expect(String(byId["m-unknown"]!["x-last-error"])).toContain("unknown event type");
      expect(String(byId["m-garbage"]!["x-last-error"])).toContain(
        "bad eco2.events.v1.ScanRequested",
      );
      expect(Number(byId["m-garbage"]!.attempt)).toBe(1);
    });

    test("a message held by a consumer that dies without acking is redelivered, flagged", async () => {
      const t = topology(["scan.requested"]);
      const dying = await open();
      const held = gate();
      let firstMeta: MessageMeta | undefined;
      await consume(dying, {
        ...t,
        schemas: [ScanRequestedSchema],
        handler: async (_e, meta) => {
          firstMeta = meta;
          await held.wait;
          return "ack" as const;
        },
      });
      const id = await bus.publish(ScanRequestedSchema, "scan.requested", scan("d"));
      await waitFor("first delivery", () => firstMeta !== undefined);
      dying.unsafeDestroy();

      const survivor = await open();
      buses.push(survivor);
      const again: MessageMeta[] = [];
      await consume(survivor, {
        ...t,
        schemas: [ScanRequestedSchema],
        handler: (_e, meta) => {
          again.push(meta);
          return "ack";
        },
      });
      await waitFor("redelivery", () => again.length === 1);
      expect(firstMeta!.redelivered).toBe(false);
      expect(again[0]!.messageId).toBe(id);
      expect(again[0]!.redelivered).toBe(true);
      held.open();
      await sleep(100);
      expect(again).toHaveLength(1);
    });

    test("prefetch bounds the unacked messages a consumer holds", async () => {
      const t = topology(["scan.requested"]);
      const release = gate();
      let active = 0;
      let maxActive = 0;
      let done = 0;
      await consume(bus, {
        ...t,
        prefetch: 2,
        schemas: [ScanRequestedSchema],
        handler: async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          await release.wait;
          active--;
          done++;
          return "ack" as const;
        },
      });
      for (let i = 0; i < 6; i++)
        await bus.publish(ScanRequestedSchema, "scan.requested", scan(`p${i}`));
      await waitFor("2 in flight", () => active === 2);
      await sleep(200);
      expect(active).toBe(2);
      // The broker itself holds the rest back: they are still ready on the queue.
      expect((await bus.queueStats(workQueueName(t.name))).messages).toBe(4);
      release.open();
      await waitFor("all 6 handled", () => done === 6);
      expect(maxActive).toBe(2);
    });

    test("close waits for the in-flight handler and acks it; nothing comes back", async () => {
      const t = topology(["scan.requested"]);
      const release = gate();
      let started = 0;
      const handle = await consume(bus, {
        ...t,
        schemas: [ScanRequestedSchema],
        handler: async () => {
          started++;
          await release.wait;
          return "ack" as const;
        },
      });
      await bus.publish(ScanRequestedSchema, "scan.requested", scan("c"));
      await waitFor("in flight", () => started === 1);
      let closed = false;
      const closing = handle.close().then(() => {
        closed = true;
      });
      await sleep(100);
      expect(closed).toBe(false);
      release.open();
      await closing;
      const stats = await bus.queueStats(workQueueName(t.name));
      expect(stats).toEqual({ messages: 0, consumers: 0 });
    });

    const dbName = embeddedDb ? "PGlite" : "PostgreSQL";
    describe.skipIf(dbSkip !== undefined)(`with ${dbName} ${dbSkip ?? ""}`, () => {
      let pool: pg.Pool;
      let database: DatabaseServer;
      const schema = uniqueName("bus_contract");
      // An embedded database can take several seconds to start on a loaded box.
      beforeAll(async () => {
        database = await openDatabase({
          url: embeddedDb ? undefined : realServers.databaseUrl,
          dataDir: "memory://",
          log: silentLog,
        });
        pool = new pg.Pool({ connectionString: database.url, max: 8 });
        await ensureProcessedMessagesTable(pool, schema);
        await pool.query(
          `CREATE TABLE ${schema}.effects (consumer text NOT NULL, message_id text NOT NULL, job_id text NOT NULL, attempt int NOT NULL)`,
        );
      }, 30_000);
      afterAll(async () => {
        await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await pool.end();
        await database.close();
      });
      // Every test's consumer stays bound to scan.requested until the suite ends, so a later
      // test's messages reach earlier consumers too: each test reads only its own consumer's rows.
      const effects = async (consumer: string, jobId: string) =>
        (
          await pool.query(`SELECT * FROM ${schema}.effects WHERE consumer = $1 AND job_id = $2`, [
            consumer,
            jobId,
          ])
        ).rows;

      test("acks only committed work: a failed transaction leaves no effect and is retried", async () => {
        const t = topology(["scan.requested"], { retryBaseMs: 50 });
        let calls = 0;
        await consume(bus, {
          ...t,
          schemas: [ScanRequestedSchema],
          handler: createIdempotentHandler(
            { pool, schema, consumer: t.name },
            async (event, tx, meta) => {
              calls++;
              await tx.query(`INSERT INTO ${schema}.effects VALUES ($1, $2, $3, $4)`, [
                t.name,
                meta.messageId,
                event.jobId,
                meta.attempt,
              ]);
              if (meta.attempt === 1) throw new Error("fails after writing");
              return "ack" as const;
            },
          ),
        });
        await bus.publish(ScanRequestedSchema, "scan.requested", scan("tx1"));
        await waitFor("second attempt", () => calls === 2);
        await waitFor("queue drained", async () => {
          const s = await bus.queueStats(workQueueName(t.name));
          return s.messages === 0;
        });
        await sleep(100);
        const rows = await effects(t.name, "tx1");
        expect(rows.map((r) => r.attempt)).toEqual([2]);
      });

      test("the same message id is applied once; the repeat is acked as a duplicate", async () => {
        const t = topology(["scan.requested"]);
        const queue = workQueueName(t.name);
        let applied = 0;
        await consume(bus, {
          ...t,
          schemas: [ScanRequestedSchema],
          handler: createIdempotentHandler(
            { pool, schema, consumer: t.name },
            async (event, tx, meta) => {
              applied++;
              await tx.query(`INSERT INTO ${schema}.effects VALUES ($1, $2, $3, $4)`, [
                t.name,
                meta.messageId,
                event.jobId,
                meta.attempt,
              ]);
              return "ack" as const;
            },
          ),
        });
        const duplicatesBefore = await counter(queue, "duplicate");
        const messageId = uniqueName("msg");
        for (let i = 0; i < 3; i++) {
          await bus.publish(ScanRequestedSchema, "scan.requested", scan("dup"), { messageId });
        }
        await waitFor(
          "2 duplicates",
          async () => (await counter(queue, "duplicate")) - duplicatesBefore === 2,
        );
        expect(applied).toBe(1);
        expect(await effects(t.name, "dup")).toHaveLength(1);
      });
    });
  });
}

async function counter(queue: string, outcome: string): Promise<number> {
  const metric = await busConsumed.get();
  return (
    metric.values.find((v) => v.labels.queue === queue && v.labels.outcome === outcome)?.value ?? 0
  );
}

busContract("embedded", undefined);
busContract("rabbitmq", skipReason(realServers.amqpUrl, "AMQP_URL"));
