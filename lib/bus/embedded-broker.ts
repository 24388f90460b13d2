import { topicMatches } from "./topology.ts";

/** A message as the embedded broker stores it: bytes and headers copied at publish, like a wire. */
export interface BrokerMessage {
  readonly body: Uint8Array;
  readonly headers: Record<string, unknown>;
  readonly routingKey: string;
  redelivered: boolean;
}

export interface BrokerQueueOptions {
  /** Per-queue message TTL; an expired message is dead-lettered (used by the retry queues). */
  messageTtlMs?: number;
  deadLetterExchange?: string;
  /** Default: the message's own routing key. */
  deadLetterRoutingKey?: string;
}

type Deliver = (message: BrokerMessage, deliveryTag: number) => void;

interface QueueState {
  readonly name: string;
  readonly options: BrokerQueueOptions;
  messages: BrokerMessage[];
  readonly timers: Set<ReturnType<typeof setTimeout>>;
  readonly consumers: ConsumerState[];
  next: number;
  scheduled: boolean;
}

interface ConsumerState {
  readonly tag: number;
  readonly queue: QueueState;
  readonly prefetch: number;
  readonly inflight: Map<number, BrokerMessage>;
  readonly deliver: Deliver;
  active: boolean;
}

interface ExchangeState {
  readonly type: "topic" | "direct";
  readonly bindings: { queue: string; key: string }[];
}

/** EmbeddedBrokerError mirrors the broker-side refusals RabbitMQ would send (unknown exchange…). */
export class EmbeddedBrokerError extends Error {
  override readonly name = "EmbeddedBrokerError";
}

/**
 * EmbeddedBroker is an in-process AMQP-like broker with the semantics the bus relies on: topic and
 * direct exchanges, the default exchange (routing key = queue name), per-consumer prefetch,
 * ack/nack with requeue, redelivery (flagged) of whatever a consumer held when it went away, and
 * per-queue TTL that dead-letters through an exchange. Nothing is persisted: it lives as long as
 * the process, which is the contract for running without RabbitMQ.
 */
export class EmbeddedBroker {
  readonly #exchanges = new Map<string, ExchangeState>();
  readonly #queues = new Map<string, QueueState>();
  readonly #consumers = new Map<number, ConsumerState>();
  #nextTag = 1;

  declareExchange(name: string, type: "topic" | "direct"): void {
    const existing = this.#exchanges.get(name);
    if (existing && existing.type !== type) {
      throw new EmbeddedBrokerError(`exchange ${name} exists with type ${existing.type}`);
    }
    if (!existing) this.#exchanges.set(name, { type, bindings: [] });
  }

  declareQueue(name: string, options: BrokerQueueOptions = {}): void {
    if (this.#queues.has(name)) return;
    this.#queues.set(name, {
      name,
      options,
      messages: [],
      timers: new Set(),
      consumers: [],
      next: 0,
      scheduled: false,
    });
  }

  bindQueue(queue: string, exchange: string, key: string): void {
    this.#queue(queue);
    const ex = this.#exchange(exchange);
    if (!ex.bindings.some((b) => b.queue === queue && b.key === key)) {
      ex.bindings.push({ queue, key });
    }
  }

  deleteQueue(name: string): void {
    const q = this.#queues.get(name);
    if (!q) return;
    for (const timer of q.timers) clearTimeout(timer);
    for (const consumer of q.consumers) {
      consumer.active = false;
      this.#consumers.delete(consumer.tag);
    }
    this.#queues.delete(name);
    for (const ex of this.#exchanges.values()) {
      for (let i = ex.bindings.length - 1; i >= 0; i--) {
        if (ex.bindings[i]!.queue === name) ex.bindings.splice(i, 1);
      }
    }
  }

  /** publish routes a copy to every matching queue and returns how many queues took it. An
   * unroutable message is dropped, as RabbitMQ does without `mandatory`. */
  publish(
    exchange: string,
    routingKey: string,
    body: Uint8Array,
    headers: Record<string, unknown>,
  ): number {
    const targets: string[] = [];
    if (exchange === "") {
      if (this.#queues.has(routingKey)) targets.push(routingKey);
    } else {
      const ex = this.#exchange(exchange);
      for (const b of ex.bindings) {
        const hit = ex.type === "topic" ? topicMatches(b.key, routingKey) : b.key === routingKey;
        if (hit && !targets.includes(b.queue)) targets.push(b.queue);
      }
    }
    for (const name of targets) {
      this.#enqueue(this.#queue(name), {
        body: Uint8Array.from(body),
        headers: structuredClone(headers),
        routingKey,
        redelivered: false,
      });
    }
    return targets.length;
  }

  /** consume starts delivering from a queue; at most `prefetch` messages are unacked at once. */
  consume(queue: string, prefetch: number, deliver: Deliver): number {
    const q = this.#queue(queue);
    const consumer: ConsumerState = {
      tag: this.#nextTag++,
      queue: q,
      prefetch: Math.max(1, prefetch),
      inflight: new Map(),
      deliver,
      active: true,
    };
    q.consumers.push(consumer);
    this.#consumers.set(consumer.tag, consumer);
    this.#schedule(q);
    return consumer.tag;
  }

  /** cancel stops new deliveries to a consumer; what it holds stays until acked or released. */
  cancel(consumerTag: number): void {
    const consumer = this.#consumers.get(consumerTag);
    if (!consumer) return;
    consumer.active = false;
    const list = consumer.queue.consumers;
    const i = list.indexOf(consumer);
    if (i >= 0) list.splice(i, 1);
  }

  /** release drops a consumer and puts everything it held back at the head of its queue, flagged
   * redelivered (what RabbitMQ does when a channel closes with unacked messages). */
  release(consumerTag: number): void {
    const consumer = this.#consumers.get(consumerTag);
    if (!consumer) return;
    this.cancel(consumerTag);
    this.#consumers.delete(consumerTag);
    const held = [...consumer.inflight.entries()].sort(([a], [b]) => a - b).map(([, m]) => m);
    consumer.inflight.clear();
    for (const m of held) m.redelivered = true;
    consumer.queue.messages.unshift(...held);
    this.#schedule(consumer.queue);
  }

  /** ack settles a delivery; an unknown tag (consumer released meanwhile) is ignored, since the
   * message has already gone back to the queue. */
  ack(consumerTag: number, deliveryTag: number): boolean {
    const consumer = this.#consumers.get(consumerTag);
    if (!consumer?.inflight.delete(deliveryTag)) return false;
    this.#schedule(consumer.queue);
    return true;
  }

  nack(consumerTag: number, deliveryTag: number, requeue: boolean): boolean {
    const consumer = this.#consumers.get(consumerTag);
    const message = consumer?.inflight.get(deliveryTag);
    if (!consumer || !message) return false;
    consumer.inflight.delete(deliveryTag);
    if (requeue) {
      message.redelivered = true;
      consumer.queue.messages.unshift(message);
    }
    this.#schedule(consumer.queue);
    return true;
  }

  /** get takes one ready message off a queue (basic.get with auto-ack). */
  get(queue: string): BrokerMessage | undefined {
    return this.#queue(queue).messages.shift();
  }

  stats(queue: string): { messages: number; consumers: number } {
    const q = this.#queue(queue);
    return { messages: q.messages.length + q.timers.size, consumers: q.consumers.length };
  }

  #enqueue(q: QueueState, message: BrokerMessage): void {
    const { messageTtlMs, deadLetterExchange, deadLetterRoutingKey } = q.options;
    if (messageTtlMs === undefined) {
      q.messages.push(message);
      this.#schedule(q);
      return;
    }
    // A TTL queue here is only ever a delay line (nobody consumes the retry queues), so each
    // message just waits out its own timer and is dead-lettered.
    const timer = setTimeout(() => {
      q.timers.delete(timer);
      if (!this.#queues.has(q.name) || deadLetterExchange === undefined) return;
      this.publish(
        deadLetterExchange,
        deadLetterRoutingKey ?? message.routingKey,
        message.body,
        message.headers,
      );
    }, messageTtlMs);
    q.timers.add(timer);
  }

  #schedule(q: QueueState): void {
    if (q.scheduled) return;
    q.scheduled = true;
    queueMicrotask(() => {
      q.scheduled = false;
      this.#dispatch(q);
    });
  }

  #dispatch(q: QueueState): void {
    while (q.messages.length > 0) {
      const consumer = this.#pickConsumer(q);
      if (!consumer) return;
      const message = q.messages.shift()!;
      const deliveryTag = this.#nextTag++;
      consumer.inflight.set(deliveryTag, message);
      consumer.deliver(message, deliveryTag);
    }
  }

  /** Round-robin over consumers that still have prefetch room. */
  #pickConsumer(q: QueueState): ConsumerState | undefined {
    const n = q.consumers.length;
    for (let i = 0; i < n; i++) {
      const consumer = q.consumers[(q.next + i) % n]!;
      if (consumer.active && consumer.inflight.size < consumer.prefetch) {
        q.next = (q.next + i + 1) % n;
        return consumer;
      }
    }
    return undefined;
  }

  #queue(name: string): QueueState {
    const q = this.#queues.get(name);
    if (!q) throw new EmbeddedBrokerError(`NOT_FOUND - no queue '${name}'`);
    return q;
  }

  #exchange(name: string): ExchangeState {
    const ex = this.#exchanges.get(name);
    if (!ex) throw new EmbeddedBrokerError(`NOT_FOUND - no exchange '${name}'`);
    return ex;
  }
}

/** The broker every embedded bus of this process shares, so the all-in-one start's producers and
 * consumers meet. Tests pass their own broker to stay apart. */
export const sharedEmbeddedBroker: EmbeddedBroker = new EmbeddedBroker();
