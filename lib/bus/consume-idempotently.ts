import type { DescMessage } from "@bufbuild/protobuf";
import type pg from "pg";
import { createIdempotentHandler, type TransactionalWork } from "./idempotent-handler.ts";
import type { Bus, ConsumerHandle } from "./types.ts";

export interface IdempotentConsumerOptions<S extends DescMessage> {
  /** Consumer name: its queues, and its record in `<schema>.processed_messages`. */
  readonly name: string;
  /** The consumer's own schema. */
  readonly schema: string;
  readonly bindings: readonly string[];
  readonly schemas: readonly S[];
}

/**
 * consumeIdempotently consumes events on a schema of the consumer's own, applying each message id
 * once inside the transaction that records it (see createIdempotentHandler).
 */
export function consumeIdempotently<S extends DescMessage>(
  bus: Bus,
  pool: pg.Pool,
  options: IdempotentConsumerOptions<S>,
  work: TransactionalWork<S>,
): Promise<ConsumerHandle> {
  return bus.consume({
    name: options.name,
    bindings: options.bindings,
    schemas: options.schemas,
    handler: createIdempotentHandler(
      { pool, schema: options.schema, consumer: options.name },
      work,
    ),
  });
}
