import { type Config, type ConfigSpecs, readConfig } from "../config/read-config.ts";
import { tcpPort, text } from "../config/validators.ts";
import type { GracefulShutdown } from "../shutdown/graceful-shutdown.ts";
import { bootProcess } from "./boot-process.ts";
import type { Component, ComponentSpec } from "./component.ts";
import { failStart } from "./fail-start.ts";
import { startMetricsServer } from "./metrics-server.ts";
import { peerAddressSpecs } from "./peer-clients.ts";
import { openPlatform, type Platform, platformOptions } from "./platform.ts";
import { processConfigSpecs } from "./process-config.ts";
import { startComponent } from "./start-component.ts";

/**
 * runComponent starts one component as its own process (how Kubernetes runs it): its gRPC server
 * with health, a metrics/probe HTTP port, and a graceful stop on SIGTERM. A component that cannot
 * start stops the process with one line naming it and exit code 1.
 */
export async function runComponent<S extends ConfigSpecs>(component: Component<S>): Promise<void> {
  const { name } = component.spec;
  const { config, log, readiness, shutdown } = bootProcess(name, () =>
    readComponentConfig(component.spec),
  );
  try {
    const platform = await openPlatform(platformOptions(config, name, log));
    platform.watch(readiness);
    registerPlatformShutdown(shutdown, platform);
    const server = await startComponent({
      component,
      config,
      host: config.BIND_HOST,
      port: config.GRPC_PORT,
      log,
      readiness,
      shutdown,
      platform,
    });
    const metrics = await startMetricsServer({
      host: config.BIND_HOST,
      port: config.METRICS_PORT,
      readiness,
    });
    shutdown.add({ name: "metrics", phase: "close", run: () => metrics.close() });
    log.info(
      { grpc_port: server.port, metrics_port: metrics.port, transport: server.transport },
      "component started",
    );
  } catch (err) {
    await failStart(name, err, shutdown);
  }
}

/** registerPlatformShutdown drains consumers with the in-flight work, then closes the stores. */
export function registerPlatformShutdown(shutdown: GracefulShutdown, platform: Platform): void {
  shutdown.add({ name: "bus", phase: "drain", run: () => platform.stopConsuming() });
  shutdown.add({ name: "platform", phase: "close", run: () => platform.close() });
}

/** standaloneSpecs are the settings of any component run as its own process. */
function standaloneSpecs(spec: ComponentSpec) {
  return {
    ...processConfigSpecs,
    GRPC_PORT: tcpPort({ default: spec.grpcPort }),
    METRICS_PORT: tcpPort({ default: 9464 }),
    /** 0.0.0.0 in a container; the all-in-one start binds loopback instead. */
    BIND_HOST: text({ default: "0.0.0.0" }),
  };
}

/** componentConfigSpecs is what a standalone component reads: the common, its peers, its own. */
export function componentConfigSpecs(spec: ComponentSpec): ConfigSpecs {
  return { ...standaloneSpecs(spec), ...peerAddressSpecs(spec), ...spec.settings };
}

/** readComponentConfig validates all of a component's settings at once, so errors share a line. */
function readComponentConfig<S extends ConfigSpecs>(spec: ComponentSpec<S>) {
  // TypeScript cannot spread a generic S into Config<>, so the parts are typed one by one.
  return readConfig(componentConfigSpecs(spec)) as Config<ReturnType<typeof standaloneSpecs>> &
    Config<S>;
}
