import { componentAddress, gatewayConfigSpecs } from "../gateway/config.ts";
import { type RunningGateway, startGateway } from "../gateway/server.ts";
import { readConfig } from "../lib/config/read-config.ts";
import { flag } from "../lib/config/validators.ts";
import { Readiness } from "../lib/health/readiness.ts";
import type { Logger } from "../lib/log/create-logger.ts";
import type { BootedProcess } from "../lib/process/boot-process.ts";
import type { Component } from "../lib/process/component.ts";
import {
  describePlatform,
  openPlatform,
  type Platform,
  platformOptions,
} from "../lib/process/platform.ts";
import { registerPlatformShutdown } from "../lib/process/run-component.ts";
import { createRpcServer, type RpcServer } from "../lib/rpc/server.ts";
import type { GracefulShutdown } from "../lib/shutdown/graceful-shutdown.ts";
import { authComponent } from "../services/auth/component.ts";
import { characterComponent } from "../services/character/component.ts";
import { chatComponent } from "../services/chat/component.ts";
import type { ComponentName } from "../services/components.ts";
import { infoComponent } from "../services/info/component.ts";
import { locationComponent } from "../services/location/component.ts";
import { myComponent } from "../services/my/component.ts";
import { scanComponent } from "../services/scan/component.ts";
import { aiComponent } from "../workers/ai/component.ts";
import { storageComponent } from "../workers/storage/component.ts";

/** Every component, in start order: services first, then the workers that call them. */
export const ALL_COMPONENTS: readonly (Component & { name: ComponentName })[] = [
  authComponent,
  myComponent,
  scanComponent,
  characterComponent,
  locationComponent,
  infoComponent,
  chatComponent,
  storageComponent,
  aiComponent,
] as (Component & { name: ComponentName })[];

export const allInOneConfigSpecs = {
  ...gatewayConfigSpecs,
  /** Lets `POST /api/v1/auth/dev/login` sign users in without an identity provider. */
  AUTH_DEV_LOGIN: flag({ default: true }),
};

export type AllInOneConfig = ReturnType<typeof readAllInOneConfig>;

export function readAllInOneConfig(env?: Record<string, string | undefined>) {
  return readConfig(allInOneConfigSpecs, env);
}

export interface AllInOne {
  readonly gateway: RunningGateway;
  readonly servers: ReadonlyMap<ComponentName, RpcServer>;
  readonly shutdown: GracefulShutdown;
  readonly log: Logger;
  readonly platform: Platform;
}

/**
 * startAllInOne runs the whole system in this one process: every component's gRPC server on its
 * own loopback port (reached over real gRPC, exactly as in Kubernetes) and the gateway in front.
 */
export async function startAllInOne(process: BootedProcess<AllInOneConfig>): Promise<AllInOne> {
  const { config, log, shutdown, readiness: gatewayReadiness } = process;
  const options = platformOptions(config, "eco2", log, config.PORT);
  log.info({ backends: describePlatform(options) }, "starting all components in one process");
  const platform = await openPlatform(options);
  registerPlatformShutdown(shutdown, platform);
  platform.watch(gatewayReadiness);

  const servers = new Map<ComponentName, RpcServer>();
  for (const component of ALL_COMPONENTS) {
    const componentLog = log.child({ service: component.name });
    const readiness = new Readiness();
    shutdown.whenStopping(() => readiness.markShuttingDown());
    platform.watch(readiness);
    const instance = await component.create({
      name: component.name,
      log: componentLog,
      readiness,
      shutdown,
      platform,
    });
    const server = createRpcServer({
      transport: config.RPC_TRANSPORT,
      host: "127.0.0.1",
      port: Number(componentAddress(config, component.name).split(":").at(-1)),
      services: instance.services,
      readiness,
      log: componentLog,
    });
    await server.start();
    servers.set(component.name, server);
    shutdown.add({ name: `${component.name}-grpc`, phase: "drain", run: () => server.stop() });
  }
  const media = platform.media && {
    ...platform.media,
    store: platform.objects,
    maxBytes: config.MAX_UPLOAD_BYTES,
  };
  const gateway = startGateway({ config, log, readiness: gatewayReadiness, shutdown, media });
  return { gateway, servers, shutdown, log, platform };
}
