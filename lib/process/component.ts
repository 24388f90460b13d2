import type { Readiness } from "../health/readiness.ts";
import type { Logger } from "../log/create-logger.ts";
import type { ServiceRegistration } from "../rpc/server.ts";
import type { GracefulShutdown } from "../shutdown/graceful-shutdown.ts";
import type { Platform } from "./platform.ts";

/**
 * ComponentContext is what a component gets to build itself: its logger, its readiness (where it
 * registers the dependencies it needs), the shutdown (where it registers work to drain) and the
 * process's data platform (database, cache, bus: real servers or embedded defaults).
 */
export interface ComponentContext {
  readonly name: string;
  readonly log: Logger;
  readonly readiness: Readiness;
  readonly shutdown: GracefulShutdown;
  readonly platform: Platform;
}

/** A running component: the gRPC services it hosts, and what to stop when the process stops. */
export interface ComponentInstance {
  readonly services: readonly ServiceRegistration[];
}

/**
 * A Component is one deployable unit (a service or a worker). The same definition is started
 * alone by its `main.ts` and together with the others by the all-in-one start.
 */
export interface Component {
  readonly name: string;
  readonly defaultGrpcPort: number;
  create(context: ComponentContext): Promise<ComponentInstance> | ComponentInstance;
}

export function defineComponent(component: Component): Component {
  return component;
}
