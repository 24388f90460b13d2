import { randomUUID } from "node:crypto";
import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { currentContext } from "../context/request-context.ts";
import { HEADER, type OutgoingMessage, type PublishOptions } from "./types.ts";

/** Content type of every bus message body: a binary protobuf event. */
export const CONTENT_TYPE = "application/x-protobuf";

/**
 * encodeEvent turns an event into the wire form. It takes the message and correlation ids from the
 * options, else from the current request context (so a request's events carry its id and trace),
 * else makes new ones.
 */
export function encodeEvent<S extends DescMessage>(
  schema: S,
  routingKey: string,
  event: MessageInitShape<S>,
  options: PublishOptions = {},
): OutgoingMessage {
  const ctx = currentContext();
  const messageId = options.messageId ?? randomUUID();
  return {
    routingKey,
    type: schema.typeName,
    body: toBinary(schema, create(schema, event)),
    messageId,
    correlationId: options.correlationId ?? ctx?.requestId ?? messageId,
    traceparent: ctx?.traceparent,
  };
}

/**
 * publishWith encodes an event and hands it to an adapter's publishEncoded, so both adapters'
 * `publish` is the same function and resolves to the message id.
 */
export function publishWith(publishEncoded: (message: OutgoingMessage) => Promise<void>) {
  return async <S extends DescMessage>(
    schema: S,
    routingKey: string,
    event: MessageInitShape<S>,
    options?: PublishOptions,
  ): Promise<string> => {
    const message = encodeEvent(schema, routingKey, event, options);
    await publishEncoded(message);
    return message.messageId;
  };
}

/** wireHeaders are the AMQP headers of a first publish (attempt 1). */
export function wireHeaders(message: OutgoingMessage): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    ...message.headers,
    [HEADER.messageId]: message.messageId,
    [HEADER.correlationId]: message.correlationId ?? message.messageId,
    [HEADER.attempt]: 1,
    [HEADER.type]: message.type,
  };
  if (message.traceparent) headers[HEADER.traceparent] = message.traceparent;
  return headers;
}

/** headerString reads a header that may arrive as a string or a Buffer (AMQP byte arrays). */
export function headerString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  if (typeof value === "number") return String(value);
  return undefined;
}

export function headerNumber(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : Number(headerString(value));
  return Number.isFinite(n) ? n : undefined;
}
