import { type DescMessage, fromBinary } from "@bufbuild/protobuf";
import { runWithContext } from "../context/request-context.ts";
import { continueTrace } from "../context/traceparent.ts";
import type { Logger } from "../log/create-logger.ts";
import { headerNumber, headerString } from "./envelope.ts";
import { UndecodableMessageError } from "./errors.ts";
import { busConsumed, busHandlerSeconds } from "./metrics.ts";
import { deadLetterQueueName, retryDelays, retryQueueName, workQueueName } from "./topology.ts";
import { type ConsumeOptions, type Delivery, HEADER, type MessageMeta } from "./types.ts";

/** How the adapter settles the delivery once the pipeline is done with it. */
export type Settlement = "ack" | "requeue";

/** Adapter-side operation: put a copy on a queue (through the default exchange) with confirm. */
export type SendToQueue = (
  queue: string,
  body: Uint8Array,
  headers: Record<string, unknown>,
) => Promise<void>;

/** DeliveryPipeline is the adapter-neutral consumer logic shared by RabbitMQ and the embedded bus. */
export interface DeliveryPipeline {
  readonly queue: string;
  process(delivery: Delivery): Promise<Settlement>;
}

/**
 * createDeliveryPipeline decodes a delivery, runs the handler inside the message's trace context
 * and turns its outcome into a settlement. A retry or dead-letter first puts a copy (with its
 * history headers) on the retry or dead-letter queue with a confirm, and only then lets the
 * original be acked, so a crash in between duplicates a message but never loses one. If that copy
 * cannot be placed the original is requeued.
 */
export function createDeliveryPipeline<S extends DescMessage>(
  options: ConsumeOptions<S>,
  sendToQueue: SendToQueue,
  log: Logger,
): DeliveryPipeline {
  const queue = workQueueName(options.name);
  const maxAttempts = options.maxAttempts ?? 5;
  const delays = retryDelays(maxAttempts, options.retryBaseMs ?? 1000);
  const schemas = new Map<string, S>(options.schemas.map((s) => [s.typeName, s]));

  const deadLetter = async (delivery: Delivery, meta: MessageMeta, reason: string) => {
    await sendToQueue(deadLetterQueueName(options.name), delivery.body, {
      ...historyHeaders(delivery, meta, reason),
      [HEADER.deadLetteredAt]: new Date().toISOString(),
    });
    busConsumed.inc({ queue, outcome: "dead_letter" });
    log.warn(
      { queue, message_id: meta.messageId, attempt: meta.attempt, reason },
      "message dead-lettered",
    );
    return "ack" as const;
  };

  const retry = async (delivery: Delivery, meta: MessageMeta, reason: string) => {
    if (meta.attempt >= maxAttempts) return deadLetter(delivery, meta, reason);
    const delay = delays[meta.attempt - 1]!;
    await sendToQueue(retryQueueName(options.name, delay), delivery.body, {
      ...historyHeaders(delivery, meta, reason),
      [HEADER.attempt]: meta.attempt + 1,
    });
    busConsumed.inc({ queue, outcome: "retry" });
    log.info(
      { queue, message_id: meta.messageId, attempt: meta.attempt, delay_ms: delay, reason },
      "message will be retried",
    );
    return "ack" as const;
  };

  return {
    queue,
    async process(delivery) {
      const meta = readMeta(delivery, queue);
      let event: ReturnType<typeof fromBinary<S>>;
      try {
        const schema = schemas.get(meta.type);
        if (!schema) throw new UndecodableMessageError(`unknown event type "${meta.type}"`);
        try {
          event = fromBinary(schema, delivery.body);
        } catch (err) {
          throw new UndecodableMessageError(
            `bad ${meta.type} body: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      } catch (err) {
        return deadLetter(delivery, meta, (err as Error).message);
      }

      const trace = continueTrace(meta.traceparent);
      const ctx = {
        requestId: meta.correlationId || meta.messageId,
        traceparent: trace.traceparent,
        traceId: trace.traceId,
        userId: "",
      };
      const started = performance.now();
      let outcome: string | undefined;
      let failure = "";
      try {
        outcome = (await runWithContext(ctx, () => options.handler(event, meta))) ?? "ack";
      } catch (err) {
        outcome = "retry";
        failure = err instanceof Error ? err.message : String(err);
        log.warn(
          { err, queue, message_id: meta.messageId, attempt: meta.attempt },
          "handler threw",
        );
      } finally {
        busHandlerSeconds.observe({ queue }, (performance.now() - started) / 1000);
      }
      switch (outcome) {
        case "ack":
        case "duplicate":
          busConsumed.inc({ queue, outcome });
          return "ack";
        case "retry":
          return retry(delivery, meta, failure || "handler asked for a retry");
        case "dead_letter":
          return deadLetter(delivery, meta, failure || "handler chose dead_letter");
        default:
          return deadLetter(delivery, meta, `handler returned unknown outcome "${outcome}"`);
      }
    },
  };
}

function readMeta(delivery: Delivery, queue: string): MessageMeta {
  const h = delivery.headers;
  const messageId = headerString(h[HEADER.messageId]) ?? delivery.messageId ?? "";
  return {
    messageId,
    correlationId: headerString(h[HEADER.correlationId]) ?? delivery.correlationId ?? messageId,
    traceparent: headerString(h[HEADER.traceparent]) ?? "",
    attempt: Math.max(1, headerNumber(h[HEADER.attempt]) ?? 1),
    routingKey: headerString(h[HEADER.originalRoutingKey]) ?? delivery.routingKey,
    type: headerString(h[HEADER.type]) ?? delivery.type ?? "",
    redelivered: delivery.redelivered,
    queue,
    headers: h,
  };
}

/** The history a retried or dead-lettered copy carries. */
function historyHeaders(delivery: Delivery, meta: MessageMeta, reason: string) {
  const headers: Record<string, unknown> = {};
  // x-death is RabbitMQ's own bookkeeping from the retry queues; it is not ours to copy.
  for (const [key, value] of Object.entries(delivery.headers)) {
    if (key !== "x-death") headers[key] = value;
  }
  return {
    ...headers,
    [HEADER.messageId]: meta.messageId,
    [HEADER.correlationId]: meta.correlationId,
    [HEADER.type]: meta.type,
    [HEADER.attempt]: meta.attempt,
    [HEADER.originalRoutingKey]: meta.routingKey,
    [HEADER.firstFailedAt]:
      headerString(delivery.headers[HEADER.firstFailedAt]) ?? new Date().toISOString(),
    // Bounded: a header is not the place for a whole stack trace.
    [HEADER.lastError]: reason.slice(0, 1000),
  };
}
