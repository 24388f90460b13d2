import type { Logger } from "../log/create-logger.ts";
import type { EmbeddedBroker } from "./embedded-broker.ts";
import { createEmbeddedBus } from "./embedded-bus.ts";
import { createRabbitBus } from "./rabbit-bus.ts";
import type { Bus } from "./types.ts";

export interface OpenBusOptions {
  /** AMQP URL. Set: RabbitMQ. Unset: the in-process broker. */
  url?: string;
  log: Logger;
  /** Default in-flight messages per consumer. Default 16. */
  prefetch?: number;
  /** Topic exchange for domain events. Default `eco2.events`. */
  exchange?: string;
  /** Confirm timeout per publish. Default 5000 ms. */
  publishTimeoutMs?: number;
  /** RabbitMQ connection name (visible to `rabbitmqctl`). Default `eco2`. */
  connectionName?: string;
  /** Embedded only: the broker to attach to. Default the process-wide one. */
  broker?: EmbeddedBroker;
}

/**
 * openBus returns the RabbitMQ adapter when `url` is set and the embedded broker otherwise. It does
 * not wait for RabbitMQ: the connection retries in the background and `ping()` reports readiness,
 * so a process (and its outbox relay) can start while the broker is down.
 */
export async function openBus(options: OpenBusOptions): Promise<Bus> {
  if (options.url) {
    return createRabbitBus({
      url: options.url,
      log: options.log,
      prefetch: options.prefetch,
      exchange: options.exchange,
      publishTimeoutMs: options.publishTimeoutMs,
      connectionName: options.connectionName,
    });
  }
  return createEmbeddedBus({
    log: options.log,
    broker: options.broker,
    exchange: options.exchange,
    prefetch: options.prefetch,
  });
}
