import type { DescService } from "@bufbuild/protobuf";
import type { Config, ConfigSpecs } from "../config/read-config.ts";
import type { Readiness } from "../health/readiness.ts";
import type { Logger } from "../log/create-logger.ts";
import type { RpcClient } from "../rpc/client.ts";
import type { ServiceRegistration } from "../rpc/server.ts";
import type { GracefulShutdown } from "../shutdown/graceful-shutdown.ts";
import type { Platform } from "./platform.ts";

/**
 * ComponentSpec is what a process needs to know about a component before creating it: its name,
 * its loopback gRPC port, the settings it reads and the peers it may call. The component catalog
 * fills it in; lib/ stays free of the components' names.
 */
export interface ComponentSpec<S extends ConfigSpecs = ConfigSpecs> {
  readonly name: string;
  /** gRPC port when every component runs on one machine; Kubernetes sets GRPC_PORT instead. */
  readonly grpcPort: number;
  /** Database schema the component owns, if any. */
  readonly schema: string | null;
  /** The component's own settings (environment variables with their validators). */
  readonly settings: S;
  /** The peers the component may call, each with the variable holding its address. */
  readonly peers: Readonly<Record<string, PeerAddress>>;
}

export interface PeerAddress {
  /** Environment variable holding `host:port`, e.g. `MY_ADDR`. */
  readonly variable: string;
  /** Its value when every component runs on one machine. */
  readonly loopback: string;
}

/** PeerClients creates RPC clients for the declared peers only; they close with the process. */
export type PeerClients = <S extends DescService>(peer: string, service: S) => RpcClient<S>;

/**
 * ComponentContext is what a component gets to build itself: its settings, its logger, its
 * readiness (where it registers the dependencies it needs), the shutdown (where it registers work
 * to drain), the process's data platform and clients for the peers it declared.
 */
export interface ComponentContext<S extends ConfigSpecs = ConfigSpecs> {
  readonly name: string;
  readonly settings: Config<S>;
  readonly log: Logger;
  readonly readiness: Readiness;
  readonly shutdown: GracefulShutdown;
  readonly platform: Platform;
  readonly client: PeerClients;
}

/** A running component: the gRPC services it hosts. */
export interface ComponentInstance {
  readonly services: readonly ServiceRegistration[];
}

/**
 * A Component is one deployable unit (a service or a worker). The same definition is started
 * alone by its `main.ts` and together with the others by the all-in-one start.
 */
export interface Component<S extends ConfigSpecs = ConfigSpecs> {
  readonly spec: ComponentSpec<S>;
  create(context: ComponentContext<S>): Promise<ComponentInstance> | ComponentInstance;
}

/** defineComponent ties a component's creation to its catalog entry, typing its settings. */
export function defineComponent<S extends ConfigSpecs>(
  spec: ComponentSpec<S>,
  create: Component<S>["create"],
): Component<S> {
  return { spec, create };
}
