import type { DescMessage } from "@bufbuild/protobuf";
import type { Logger } from "../log/create-logger.ts";
import { type EmbeddedBroker, sharedEmbeddedBroker } from "./embedded-broker.ts";
import { publishWith, wireHeaders } from "./envelope.ts";
import { BusClosedError } from "./errors.ts";
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

export interface EmbeddedBusOptions {
  log: Logger;
  /** Default: the process-wide shared broker. */
  broker?: EmbeddedBroker;
  /** Default `eco2.events`. */
  exchange?: string;
  /** Default 16. */
  prefetch?: number;
}

/**
 * createEmbeddedBus is a connection to an in-process broker with the same contract as the RabbitMQ
 * adapter. Publishing "confirms" as soon as the message is routed, since there is no wire.
 */
export function createEmbeddedBus(options: EmbeddedBusOptions): Bus {
  const broker = options.broker ?? sharedEmbeddedBroker;
  const exchange = options.exchange ?? DEFAULT_EXCHANGE;
  const defaultPrefetch = options.prefetch ?? DEFAULT_PREFETCH;
  const log = options.log.child({ component: "bus", adapter: "embedded" });
  const consumers = new Set<{ tag: number; queue: string; close: () => Promise<void> }>();
  const untrack: (() => void)[] = [];
  let closed = false;

  broker.declareExchange(exchange, "topic");
  broker.declareExchange(retryExchangeName(exchange), "direct");

  const assertOpen = (what: string) => {
    if (closed) throw new BusClosedError(what);
  };

  const send = (ex: string, routingKey: string, body: Uint8Array, headers: object) => {
    assertOpen("bus");
    broker.publish(ex, routingKey, body, headers as Record<string, unknown>);
  };

  const publishEncoded = (message: OutgoingMessage) =>
    countPublish(exchange, message.routingKey, () =>
      send(exchange, message.routingKey, message.body, wireHeaders(message)),
    );

  const bus: Bus = {
    kind: "embedded",
    exchange,

    async declareConsumer(topology) {
      assertOpen("bus");
      const t = consumerDefaults(topology);
      const queue = workQueueName(t.name);
      broker.declareQueue(queue);
      for (const key of t.bindings) broker.bindQueue(queue, exchange, key);
      broker.bindQueue(queue, retryExchangeName(exchange), queue);
      for (const delay of retryDelays(t.maxAttempts, t.retryBaseMs)) {
        broker.declareQueue(retryQueueName(t.name, delay), {
          messageTtlMs: delay,
          deadLetterExchange: retryExchangeName(exchange),
          deadLetterRoutingKey: queue,
        });
      }
      broker.declareQueue(deadLetterQueueName(t.name));
    },

    publish: publishWith(publishEncoded),

    publishEncoded,

    async consume<S extends DescMessage>(consumeOptions: ConsumeOptions<S>) {
      await bus.declareConsumer(consumeOptions);
      const pipeline = createDeliveryPipeline(
        consumeOptions,
        async (queue, body, headers) => send("", queue, body, headers),
        log,
      );
      const inflight = new Set<Promise<void>>();
      const tag = broker.consume(
        pipeline.queue,
        consumeOptions.prefetch ?? defaultPrefetch,
        (message, deliveryTag) => {
          const work = pipeline
            .process({
              body: message.body,
              headers: message.headers,
              routingKey: message.routingKey,
              redelivered: message.redelivered,
            })
            .then(
              (settlement) =>
                settlement === "ack"
                  ? broker.ack(tag, deliveryTag)
                  : broker.nack(tag, deliveryTag, true),
              (err) => {
                log.error({ err, queue: pipeline.queue }, "could not settle message; requeued");
                broker.nack(tag, deliveryTag, true);
              },
            )
            .then(() => undefined);
          inflight.add(work);
          void work.finally(() => inflight.delete(work));
        },
      );
      busConsumers.inc({ queue: pipeline.queue });
      let closing: Promise<void> | undefined;
      const entry = {
        tag,
        queue: pipeline.queue,
        close: () => {
          closing ??= (async () => {
            broker.cancel(tag);
            await Promise.allSettled([...inflight]);
            broker.release(tag);
            busConsumers.dec({ queue: pipeline.queue });
            consumers.delete(entry);
          })();
          return closing;
        },
      };
      consumers.add(entry);
      untrack.push(
        trackQueueDepth({
          queue: pipeline.queue,
          deadLetterQueue: deadLetterQueueName(consumeOptions.name),
          stats: async (q) => broker.stats(q),
        }),
      );
      const handle: ConsumerHandle = {
        name: consumeOptions.name,
        queue: pipeline.queue,
        close: entry.close,
      };
      return handle;
    },

    async queueStats(queue) {
      return broker.stats(queue);
    },

    async takeDeadLetters(consumer, limit = 100) {
      const out: DeadLetter[] = [];
      while (out.length < limit) {
        const m = broker.get(deadLetterQueueName(consumer));
        if (!m) break;
        out.push({ body: m.body, headers: m.headers });
      }
      return out;
    },

    async deleteConsumer(topology) {
      const t = consumerDefaults(topology);
      broker.deleteQueue(workQueueName(t.name));
      broker.deleteQueue(deadLetterQueueName(t.name));
      for (const delay of retryDelays(t.maxAttempts, t.retryBaseMs)) {
        broker.deleteQueue(retryQueueName(t.name, delay));
      }
    },

    async ping() {
      assertOpen("bus");
    },

    async close() {
      if (closed) return;
      await Promise.all([...consumers].map((c) => c.close()));
      for (const stop of untrack) stop();
      closed = true;
    },

    unsafeDestroy() {
      closed = true;
      for (const c of consumers) {
        broker.release(c.tag);
        busConsumers.dec({ queue: c.queue });
      }
      consumers.clear();
      for (const stop of untrack) stop();
    },
  };
  return bus;
}
