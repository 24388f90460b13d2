import type { Config, ConfigSpecs } from "../config/read-config.ts";
import type { Readiness } from "../health/readiness.ts";
import type { Logger } from "../log/create-logger.ts";
import { createRpcServer, type RpcServer, type RpcTransport } from "../rpc/server.ts";
import type { GracefulShutdown } from "../shutdown/graceful-shutdown.ts";
import type { Component } from "./component.ts";
import { createPeerClients, peerAddresses } from "./peer-clients.ts";
import type { Platform } from "./platform.ts";

/** ComponentStartError names the component whose creation or gRPC server failed. */
export class ComponentStartError extends Error {
  override readonly name = "ComponentStartError";
  constructor(
    readonly component: string,
    override readonly cause: unknown,
  ) {
    super(`component "${component}" failed to start: ${describe(cause)}`);
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

export interface StartComponentOptions<S extends ConfigSpecs> {
  readonly component: Component<S>;
  /** The process's configuration: it holds the component's settings and its peers' addresses. */
  readonly config: Config<S> & { readonly RPC_TRANSPORT: RpcTransport };
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  readonly readiness: Readiness;
  readonly shutdown: GracefulShutdown;
  readonly platform: Platform;
}

/**
 * startComponent is the one way a component comes up, alone or beside the others: create it with
 * clients for its declared peers, serve its gRPC services with health, and register its stop.
 * Any failure is a ComponentStartError naming the component.
 */
export async function startComponent<S extends ConfigSpecs>(
  options: StartComponentOptions<S>,
): Promise<RpcServer> {
  const { component, config, log, readiness, shutdown, platform } = options;
  const { name } = component.spec;
  try {
    const peers = createPeerClients({
      caller: name,
      addresses: peerAddresses(component.spec, config),
      transport: config.RPC_TRANSPORT,
    });
    shutdown.add({ name: `${name}-clients`, phase: "close", run: () => peers.close() });
    const instance = await component.create({
      name,
      settings: config,
      log,
      readiness,
      shutdown,
      platform,
      client: peers.client,
    });
    const server = createRpcServer({
      transport: config.RPC_TRANSPORT,
      host: options.host,
      port: options.port,
      services: instance.services,
      readiness,
      log,
    });
    await server.start();
    // The gRPC server refuses new calls and finishes those in flight in one step.
    shutdown.add({ name: `${name}-grpc`, phase: "drain", run: () => server.stop() });
    return server;
  } catch (cause) {
    throw new ComponentStartError(name, cause);
  }
}
