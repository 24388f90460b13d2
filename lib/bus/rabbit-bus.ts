import type { DescMessage } from "@bufbuild/protobuf";
import { type AsyncMessage, Connection, ConsumerStatus } from "rabbitmq-client";
import type { Logger } from "../log/create-logger.ts";
import { CONTENT_TYPE, publishWith, wireHeaders } from "./envelope.ts";
import { BusClosedError, BusUnavailableError, PublishTimeoutError } from "./errors.ts";
import { createDeliveryPipeline } from "./handle-delivery.ts";
import { busConsumers, countPublish, trackQueueDepth } from "./metrics.ts";
import {
  consumerDefaults,
  DEFAULT_EXCHANGE,
  deadLetterQueueName,
  retryDelays,
  retryExchangeName,
  retryQueueName,
  workQueueName,
} from "./topology.ts";
import {
  type Bus,
  type ConsumeOptions,
  type ConsumerHandle,
  DEFAULT_PREFETCH,
  type DeadLetter,
  type OutgoingMessage,
} from "./types.ts";

export interface RabbitBusOptions {
  url: string;
  log: Logger;
  /** Default `eco2.events`. */
  exchange?: string;
  /** Default 16. */
  prefetch?: number;
  /** Default 5000 ms. */
  publishTimeoutMs?: number;
  /** Shown by `rabbitmqctl list_connections client_properties`; fault tests find it by this. */
  connectionName?: string;
  /** Reconnect backoff step and ceiling. Defaults 200 ms and 5000 ms. */
  reconnectLowMs?: number;
  reconnectHighMs?: number;
}

/**
 * createRabbitBus is the RabbitMQ adapter. One connection per bus (`noDelay: true`: without it
 * confirmed publishes stall behind Nagle on Deno, STACK-FACTS G7) that reconnects by itself; a
 * confirm-mode publisher; and one rabbitmq-client consumer per `consume`, whose setup (queue,
 * bindings, basic.qos prefetch) the library re-runs on every new channel after a reconnect.
 */
export function createRabbitBus(options: RabbitBusOptions): Bus {
  const exchange = options.exchange ?? DEFAULT_EXCHANGE;
  const retryExchange = retryExchangeName(exchange);
  const defaultPrefetch = options.prefetch ?? DEFAULT_PREFETCH;
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const log = options.log.child({ component: "bus", adapter: "rabbitmq" });
  const conn = new Connection({
    url: options.url,
    noDelay: true,
    connectionName: options.connectionName ?? "eco2",
    retryLow: options.reconnectLowMs ?? 200,
    retryHigh: options.reconnectHighMs ?? 5000,
  });
  conn.on("error", (err) => log.warn({ err }, "rabbitmq connection error"));
  conn.on("connection", () => log.info("rabbitmq connected"));

  const exchanges = [
    { exchange, type: "topic", durable: true },
    { exchange: retryExchange, type: "direct", durable: true },
  ];
  // maxAttempts 1: a failed publish surfaces to the caller (the outbox relay owns retrying).
  const publisher = conn.createPublisher({ confirm: true, maxAttempts: 1, exchanges });
  publisher.on("retry", () => undefined);

  const consumers = new Set<{ queue: string; close: () => Promise<void> }>();
  const untrack: (() => void)[] = [];
  let closed = false;

  // One shared wait for the next (re)connection, however many publishes are waiting on it.
  let connected: Promise<void> | undefined;
  const whenConnected = () => {
    connected ??= new Promise<void>((resolve) => {
      conn.once("connection", () => {
        connected = undefined;
        resolve();
      });
    });
    return connected;
  };

  const confirmed = async <T>(routingKey: string, send: () => Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new PublishTimeoutError(routingKey, publishTimeoutMs)),
        publishTimeoutMs,
      );
    });
    try {
      // Wait here rather than hand the message to the library: a send queued while disconnected
      // would still go out after our timeout has already failed it, doubling every retried row.
      if (!conn.ready) await Promise.race([whenConnected(), timeout]);
      return await Promise.race([send(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const sendToQueue = async (queue: string, body: Uint8Array, headers: Record<string, unknown>) => {
    if (closed) throw new BusClosedError("bus");
    await confirmed(queue, () =>
      publisher.send(
        { exchange: "", routingKey: queue, durable: true, contentType: CONTENT_TYPE, headers },
        Buffer.from(body),
      ),
    );
  };

  const publishEncoded = async (message: OutgoingMessage) => {
    if (closed) throw new BusClosedError("bus");
    await countPublish(exchange, message.routingKey, () =>
      confirmed(message.routingKey, () =>
        publisher.send(
          {
            exchange,
            routingKey: message.routingKey,
            durable: true,
            contentType: CONTENT_TYPE,
            messageId: message.messageId,
            correlationId: message.correlationId ?? message.messageId,
            type: message.type,
            timestamp: Math.floor(Date.now() / 1000),
            headers: wireHeaders(message),
          },
          Buffer.from(message.body),
        ),
      ),
    );
  };

  const bus: Bus = {
    kind: "rabbitmq",
    exchange,

    async declareConsumer(topology) {
      if (closed) throw new BusClosedError("bus");
      const t = consumerDefaults(topology);
      const queue = workQueueName(t.name);
      for (const ex of exchanges) await conn.exchangeDeclare(ex);
      await conn.queueDeclare({ queue, durable: true });
      for (const routingKey of t.bindings) await conn.queueBind({ queue, exchange, routingKey });
      await conn.queueBind({ queue, exchange: retryExchange, routingKey: queue });
      for (const delay of retryDelays(t.maxAttempts, t.retryBaseMs)) {
        await conn.queueDeclare({
          queue: retryQueueName(t.name, delay),
          durable: true,
          arguments: {
            "x-message-ttl": delay,
            "x-dead-letter-exchange": retryExchange,
            "x-dead-letter-routing-key": queue,
          },
        });
      }
      await conn.queueDeclare({ queue: deadLetterQueueName(t.name), durable: true });
    },

    publish: publishWith(publishEncoded),

    publishEncoded,

    async consume<S extends DescMessage>(consumeOptions: ConsumeOptions<S>) {
      await bus.declareConsumer(consumeOptions);
      const pipeline = createDeliveryPipeline(consumeOptions, sendToQueue, log);
      const queue = pipeline.queue;
      const prefetch = consumeOptions.prefetch ?? defaultPrefetch;
      const consumer = conn.createConsumer(
        {
          queue,
          queueOptions: { durable: true },
          // Re-applied by rabbitmq-client on every new channel, so a reconnect keeps the limit.
          qos: { prefetchCount: prefetch },
          concurrency: prefetch,
          requeue: true,
          queueBindings: [
            ...consumeOptions.bindings.map((routingKey) => ({ queue, exchange, routingKey })),
            { queue, exchange: retryExchange, routingKey: queue },
          ],
        },
        async (msg: AsyncMessage) => {
          const settlement = await pipeline.process({
            body: msg.body instanceof Uint8Array ? msg.body : Buffer.from(String(msg.body)),
            headers: msg.headers ?? {},
            routingKey: msg.routingKey,
            redelivered: msg.redelivered,
            type: msg.type,
            messageId: msg.messageId,
            correlationId: msg.correlationId,
          });
          return settlement === "ack" ? ConsumerStatus.ACK : ConsumerStatus.REQUEUE;
        },
      );
      consumer.on("error", (err) => log.warn({ err, queue }, "rabbitmq consumer error"));
      busConsumers.inc({ queue });
      let closing: Promise<void> | undefined;
      const entry = {
        queue,
        close: () => {
          closing ??= consumer.close().finally(() => {
            busConsumers.dec({ queue });
            consumers.delete(entry);
          });
          return closing;
        },
      };
      consumers.add(entry);
      untrack.push(
        trackQueueDepth({
          queue,
          deadLetterQueue: deadLetterQueueName(consumeOptions.name),
          stats: (q) => bus.queueStats(q),
        }),
      );
      const handle: ConsumerHandle = { name: consumeOptions.name, queue, close: entry.close };
      return handle;
    },

    async queueStats(queue) {
      const ok = await conn.queueDeclare({ queue, passive: true });
      return { messages: ok.messageCount, consumers: ok.consumerCount };
    },

    async takeDeadLetters(consumer, limit = 100) {
      const out: DeadLetter[] = [];
      while (out.length < limit) {
        const m = await conn.basicGet({ queue: deadLetterQueueName(consumer), noAck: true });
        if (!m) break;
        out.push({ body: m.body as Uint8Array, headers: m.headers ?? {} });
      }
      return out;
    },

    async deleteConsumer(topology) {
      const t = consumerDefaults(topology);
      const queues = [
        workQueueName(t.name),
        deadLetterQueueName(t.name),
        ...retryDelays(t.maxAttempts, t.retryBaseMs).map((d) => retryQueueName(t.name, d)),
      ];
      for (const queue of queues) await conn.queueDelete({ queue });
    },

    async ping() {
      if (closed) throw new BusClosedError("bus");
      if (!conn.ready) throw new BusUnavailableError("rabbitmq is not connected");
      // A round trip that also (re)creates the exchange: a passive declare would fail readiness
      // in a process that has not published yet, before the publisher declared it.
      await conn.exchangeDeclare(exchanges[0]!);
    },

    async close() {
      if (closed) return;
      await Promise.all([...consumers].map((c) => c.close()));
      for (const stop of untrack) stop();
      closed = true;
      await publisher.close();
      await conn.close();
    },

    unsafeDestroy() {
      closed = true;
      for (const stop of untrack) stop();
      for (const c of consumers) busConsumers.dec({ queue: c.queue });
      consumers.clear();
      conn.unsafeDestroy();
    },
  };
  return bus;
}
