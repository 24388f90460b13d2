import { readConfig } from "../config/read-config.ts";
import { tcpPort, text } from "../config/validators.ts";
import { createRpcServer } from "../rpc/server.ts";
import type { GracefulShutdown } from "../shutdown/graceful-shutdown.ts";
import { bootProcess } from "./boot-process.ts";
import type { Component } from "./component.ts";
import { startMetricsServer } from "./metrics-server.ts";
import { openPlatform, type Platform, platformOptions } from "./platform.ts";
import { processConfigSpecs } from "./process-config.ts";

/**
 * runComponent starts one component as its own process (how Kubernetes runs it): its gRPC server
 * with health, a metrics/probe HTTP port, and a graceful stop on SIGTERM.
 */
export async function runComponent(component: Component): Promise<void> {
  const { config, log, readiness, shutdown } = bootProcess(component.name, () =>
    readComponentConfig(component),
  );

  const platform = await openPlatform(platformOptions(config, component.name, log));
  platform.watch(readiness);
  registerPlatformShutdown(shutdown, platform);
  const instance = await component.create({
    name: component.name,
    log,
    readiness,
    shutdown,
    platform,
  });
  const server = createRpcServer({
    transport: config.RPC_TRANSPORT,
    host: config.BIND_HOST,
    port: config.GRPC_PORT,
    services: instance.services,
    readiness,
    log,
  });
  await server.start();
  const metrics = await startMetricsServer({
    host: config.BIND_HOST,
    port: config.METRICS_PORT,
    readiness,
  });
  // The gRPC server refuses new calls and finishes those in flight in one step.
  shutdown.add({ name: "grpc", phase: "drain", run: () => server.stop() });
  shutdown.add({ name: "metrics", phase: "close", run: () => metrics.close() });
  log.info(
    { grpc_port: server.port, metrics_port: metrics.port, transport: server.transport },
    "component started",
  );
}

/** registerPlatformShutdown drains consumers with the in-flight work, then closes the stores. */
export function registerPlatformShutdown(shutdown: GracefulShutdown, platform: Platform): void {
  shutdown.add({ name: "bus", phase: "drain", run: () => platform.stopConsuming() });
  shutdown.add({ name: "platform", phase: "close", run: () => platform.close() });
}

function readComponentConfig(component: Component) {
  return readConfig({
    ...processConfigSpecs,
    GRPC_PORT: tcpPort({ default: component.defaultGrpcPort }),
    METRICS_PORT: tcpPort({ default: 9464 }),
    /** 0.0.0.0 in a container; the all-in-one start binds loopback instead. */
    BIND_HOST: text({ default: "0.0.0.0" }),
  });
}
