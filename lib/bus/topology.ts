/**
 * Names and shapes of the topology every adapter declares, so RabbitMQ and the embedded broker
 * agree on them. For a consumer `name`:
 * - `<name>.q`: its durable work queue, bound to the events exchange with its routing keys, and to
 *   the retry exchange with its own name so expired retries come back to it;
 * - `<name>.retry.<delay>ms`: one queue per backoff step; a message waits there for the queue's TTL
 *   and is dead-lettered through the retry exchange back to `<name>.q`. One queue per delay (not a
 *   per-message expiration on one queue) because RabbitMQ expires only the head of a queue, so a
 *   long delay would hold shorter ones behind it;
 * - `<name>.dlq`: its dead-letter queue, where messages wait for a human with their history.
 */

/** The default topic exchange for domain events. */
export const DEFAULT_EXCHANGE = "eco2.events";

export function workQueueName(consumer: string): string {
  return `${consumer}.q`;
}

export function deadLetterQueueName(consumer: string): string {
  return `${consumer}.dlq`;
}

export function retryQueueName(consumer: string, delayMs: number): string {
  return `${consumer}.retry.${delayMs}ms`;
}

/** The direct exchange through which expired retries return to their work queue. */
export function retryExchangeName(exchange: string): string {
  return `${exchange}.retry`;
}

/**
 * retryDelays lists the wait before attempt 2, 3, … maxAttempts: base, 2·base, 4·base, …
 * (exponential backoff). Its length is maxAttempts − 1.
 */
export function retryDelays(maxAttempts: number, retryBaseMs: number): number[] {
  return Array.from({ length: Math.max(0, maxAttempts - 1) }, (_, i) => retryBaseMs * 2 ** i);
}

/** ConsumerTopology is what a consumer needs declared before messages for it are published. */
export interface ConsumerTopology {
  /** Consumer name; its queues are named after it. */
  readonly name: string;
  /** Routing-key patterns bound on the events exchange (`*` = one word, `#` = zero or more). */
  readonly bindings: readonly string[];
  /** Default 5. */
  readonly maxAttempts?: number;
  /** Default 1000 ms. */
  readonly retryBaseMs?: number;
}

export function consumerDefaults(topology: ConsumerTopology): Required<ConsumerTopology> {
  return {
    name: topology.name,
    bindings: topology.bindings,
    maxAttempts: topology.maxAttempts ?? 5,
    retryBaseMs: topology.retryBaseMs ?? 1000,
  };
}

/** topicMatches says whether an AMQP topic pattern matches a routing key. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = pattern.split(".");
  const k = routingKey.split(".");
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === "#") {
      for (let n = j; n <= k.length; n++) if (match(i + 1, n)) return true;
      return false;
    }
    if (j === k.length) return false;
    return (p[i] === "*" || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}
