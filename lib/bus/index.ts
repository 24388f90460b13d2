/**
 * lib/bus: domain events over RabbitMQ or the in-process broker, with a transactional outbox for
 * producers and idempotent consumers. Services use `openBus`; `EmbeddedBroker`,
 * `createEmbeddedBus` and `createRabbitBus` are for other lib/ modules and tests.
 *
 * Wiring in a process (a sketch):
 * ```ts
 * const bus = await openBus({ url: config.amqpUrl, log });
 * readiness.addCheck("bus", () => bus.ping());
 * // producer: enqueueEvent(tx, …) inside the state change's transaction, and one relay per schema
 * const relay = createOutboxRelay({ pool, schema: "scan", bus, log });
 * relay.start();
 * // consumer: an idempotent handler on the consumer's own schema
 * await ensureProcessedMessagesTable(pool, "character");
 * await bus.consume({ name: "character.grant", bindings: ["scan.completed"],
 *   schemas: [ScanCompletedSchema],
 *   handler: createIdempotentHandler({ pool, schema: "character", consumer: "character.grant" },
 *     async (event, tx, meta) => { …; return "ack"; }) });
 * shutdown.add({ name: "outbox relay", phase: "stop-accepting", run: () => relay.stop() });
 * shutdown.add({ name: "bus", phase: "drain", run: () => bus.close() });
 * ```
 */

export { consumeIdempotently, type IdempotentConsumerOptions } from "./consume-idempotently.ts";
export { EmbeddedBroker, sharedEmbeddedBroker } from "./embedded-broker.ts";
export { createEmbeddedBus, type EmbeddedBusOptions } from "./embedded-bus.ts";
export { type EnqueueEventOptions, enqueueEvent } from "./enqueue-event.ts";
export {
  BusClosedError,
  BusUnavailableError,
  isBusClosedError,
  isPublishTimeoutError,
  PublishTimeoutError,
  UndecodableMessageError,
} from "./errors.ts";
export {
  createIdempotentHandler,
  type IdempotentHandlerOptions,
  type TransactionalWork,
} from "./idempotent-handler.ts";
export { type OpenBusOptions, openBus } from "./open-bus.ts";
export { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from "./outbox-relay.ts";
export { ensureOutboxTable, OUTBOX_CHANNEL, outboxSql } from "./outbox-table.ts";
export { ensureProcessedMessagesTable, processedMessagesSql } from "./processed-messages.ts";
export { createRabbitBus, type RabbitBusOptions } from "./rabbit-bus.ts";
export {
  type ConsumerTopology,
  DEFAULT_EXCHANGE,
  deadLetterQueueName,
  retryDelays,
  retryQueueName,
  workQueueName,
} from "./topology.ts";
export type {
  Bus,
  ConsumeOptions,
  ConsumerHandle,
  DeadLetter,
  Handler,
  HandlerOutcome,
  MessageMeta,
  OutgoingMessage,
  PublishOptions,
  QueueStats,
} from "./types.ts";
export { HEADER } from "./types.ts";
