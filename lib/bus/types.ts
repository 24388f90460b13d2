import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { ConsumerTopology } from "./topology.ts";

/**
 * What a handler decides about one message:
 * - `ack`: the work is done (and committed); the message is removed;
 * - `retry`: try again later, after an exponential backoff; after `maxAttempts` it dead-letters;
 * - `dead_letter`: give up now; the message goes to the consumer's dead-letter queue;
 * - `duplicate`: already processed (by message id); acked and counted apart.
 * A handler that throws counts as `retry`, with the error message kept in the history.
 */
export type HandlerOutcome = "ack" | "retry" | "dead_letter" | "duplicate";

/** AMQP header names the bus sets on every message. */
export const HEADER = {
  messageId: "message_id",
  correlationId: "correlation_id",
  traceparent: "traceparent",
  attempt: "attempt",
  type: "type",
  /** Set on retried and dead-lettered copies: the routing key the event was first published with. */
  originalRoutingKey: "x-original-routing-key",
  firstFailedAt: "x-first-failed-at",
  lastError: "x-last-error",
  deadLetteredAt: "x-dead-lettered-at",
} as const;

/** MessageMeta is everything about a delivery except its decoded body. */
export interface MessageMeta {
  readonly messageId: string;
  readonly correlationId: string;
  readonly traceparent: string;
  /** 1 on the first delivery; +1 for each retry through the retry queues. */
  readonly attempt: number;
  /** The routing key the producer used (kept across retries). */
  readonly routingKey: string;
  /** Fully-qualified protobuf type name, e.g. `eco2.events.v1.ScanRequested`. */
  readonly type: string;
  /** True when the broker delivers it again because an earlier delivery was never acked. */
  readonly redelivered: boolean;
  /** The work queue it came from. */
  readonly queue: string;
  readonly headers: Readonly<Record<string, unknown>>;
}

/** OutgoingMessage is an encoded event ready for the wire (what the outbox stores). */
export interface OutgoingMessage {
  readonly routingKey: string;
  /** Fully-qualified protobuf type name. */
  readonly type: string;
  readonly body: Uint8Array;
  readonly messageId: string;
  readonly correlationId?: string;
  readonly traceparent?: string;
  /** Extra headers; the bus's own headers win on a clash. */
  readonly headers?: Readonly<Record<string, string | number>>;
}

export interface PublishOptions {
  /** Default: a new UUID. Consumers deduplicate on it, so a retried publish must keep it. */
  messageId?: string;
  /** Default: the current request id, else the message id. */
  correlationId?: string;
}

/** A raw delivery as it left the broker: the shape adapters hand to the shared pipeline. */
export interface Delivery {
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly routingKey: string;
  readonly redelivered: boolean;
  /** AMQP `type` / `message_id` properties, used when the headers lack them. */
  readonly type?: string;
  readonly messageId?: string;
  readonly correlationId?: string;
}

/** A dead-lettered message read back from a dead-letter queue. */
export interface DeadLetter {
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, unknown>>;
}

export type Handler<S extends DescMessage> = (
  event: MessageShape<S>,
  meta: MessageMeta,
) => Promise<HandlerOutcome | undefined> | HandlerOutcome | undefined;

export interface ConsumeOptions<S extends DescMessage = DescMessage> extends ConsumerTopology {
  /** Event types this consumer understands; anything else dead-letters as undecodable. */
  readonly schemas: readonly S[];
  readonly handler: Handler<S>;
  /** Messages in flight at once on this consumer. Default: the bus's prefetch (DEFAULT_PREFETCH). */
  readonly prefetch?: number;
}

/** A running consumer. */
export interface ConsumerHandle {
  readonly name: string;
  readonly queue: string;
  /** Stops taking messages, waits for in-flight handlers to settle (they ack or nack), then
   * releases the consumer. Prefetched messages that never started go back to the queue. */
  close(): Promise<void>;
}

export interface QueueStats {
  /** Messages ready for delivery (not counting unacked ones). */
  readonly messages: number;
  readonly consumers: number;
}

/**
 * Bus is the one messaging port; `openBus` returns the RabbitMQ adapter or the embedded broker.
 * Delivery is at-least-once: a publish may be repeated and a message redelivered, so consumers are
 * idempotent by message id (see `createIdempotentHandler`).
 */
export interface Bus {
  readonly kind: "rabbitmq" | "embedded";
  /** The topic exchange for domain events (default `eco2.events`). */
  readonly exchange: string;
  /** Declares a consumer's queues and bindings without consuming, so messages published before
   * the consumer starts are kept. Idempotent; `consume` calls it too. */
  declareConsumer(topology: ConsumerTopology): Promise<void>;
  /** Encodes and publishes an event; resolves once the broker confirms it. Rejects with
   * `PublishTimeoutError` after `publishTimeoutMs` (default 5000). */
  publish<S extends DescMessage>(
    schema: S,
    routingKey: string,
    event: MessageInitShape<S>,
    options?: PublishOptions,
  ): Promise<string>;
  /** Publishes an already-encoded message with confirm (the outbox relay uses it). */
  publishEncoded(message: OutgoingMessage): Promise<void>;
  consume<S extends DescMessage>(options: ConsumeOptions<S>): Promise<ConsumerHandle>;
  /** Ready-message and consumer counts of a queue (passive declare on RabbitMQ). */
  queueStats(queue: string): Promise<QueueStats>;
  /** Removes and returns up to `limit` messages from a consumer's dead-letter queue. */
  takeDeadLetters(consumer: string, limit?: number): Promise<DeadLetter[]>;
  /** Deletes a consumer's queues (tests and decommissioning). */
  deleteConsumer(topology: ConsumerTopology): Promise<void>;
  /** Resolves when the broker answers; for readiness checks. */
  ping(): Promise<void>;
  /** Graceful: stops consumers, waits for in-flight handlers, then closes the connection. */
  close(): Promise<void>;
  /** Drops the connection at once without acking anything, as a crash would: the broker
   * redelivers every unacked message. For fault tests. */
  unsafeDestroy(): void;
}

/** Messages a consumer has in flight at once unless the bus or the consumer says otherwise. */
export const DEFAULT_PREFETCH = 16;
