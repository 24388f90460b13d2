import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import type pg from "pg";
import { encodeEvent } from "./envelope.ts";
import { OUTBOX_CHANNEL } from "./outbox-table.ts";
import { quoteIdent } from "./sql-identifier.ts";

export interface EnqueueEventOptions<S extends DescMessage> {
  /** The producing service's schema, holding `outbox`. */
  schema: string;
  routingKey: string;
  schemaDesc: S;
  event: MessageInitShape<S>;
  /** Default: a new UUID. */
  messageId?: string;
  /** Default: the current request id, else the message id. */
  correlationId?: string;
}

/**
 * enqueueEvent writes an event to `<schema>.outbox` on the caller's client, inside the caller's
 * transaction: the event exists exactly when the state change commits. The current request's
 * traceparent is stored with it so the relay publishes it under the request's trace. A NOTIFY
 * (delivered only on commit) wakes the relay. Returns the message id.
 */
export async function enqueueEvent<S extends DescMessage>(
  client: pg.ClientBase,
  options: EnqueueEventOptions<S>,
): Promise<string> {
  const message = encodeEvent(options.schemaDesc, options.routingKey, options.event, {
    messageId: options.messageId,
    correlationId: options.correlationId,
  });
  const headers: Record<string, string> = {};
  if (message.correlationId) headers.correlation_id = message.correlationId;
  if (message.traceparent) headers.traceparent = message.traceparent;
  await client.query(
    `INSERT INTO ${quoteIdent(options.schema)}.outbox (message_id, routing_key, type, payload, headers)
     VALUES ($1, $2, $3, $4, $5)`,
    [message.messageId, message.routingKey, message.type, Buffer.from(message.body), headers],
  );
  await client.query("SELECT pg_notify($1, $2)", [OUTBOX_CHANNEL, options.schema]);
  return message.messageId;
}
