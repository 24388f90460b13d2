import { CATALOG, GRPC_COMPONENT_NAMES, type GrpcComponentName } from "../catalog/components.ts";
import { gatewayConfigSpecs, gatewayPeerAddresses } from "../gateway/config.ts";
import { type RunningGateway, startGateway } from "../gateway/server.ts";
import { type Config, readConfig } from "../lib/config/read-config.ts";
import { text } from "../lib/config/validators.ts";
import { Readiness } from "../lib/health/readiness.ts";
import type { Logger } from "../lib/log/create-logger.ts";
import type { BootedProcess } from "../lib/process/boot-process.ts";
import type { Component } from "../lib/process/component.ts";
import { failStart } from "../lib/process/fail-start.ts";
import {
  describePlatform,
  openPlatform,
  type Platform,
  platformOptions,
} from "../lib/process/platform.ts";
import { registerPlatformShutdown } from "../lib/process/run-component.ts";
import { startComponent } from "../lib/process/start-component.ts";
import type { RpcServer } from "../lib/rpc/server.ts";
import type { GracefulShutdown } from "../lib/shutdown/graceful-shutdown.ts";
import { authComponent } from "../services/auth/component.ts";
import { characterComponent } from "../services/character/component.ts";
import { chatComponent } from "../services/chat/component.ts";
import { infoComponent } from "../services/info/component.ts";
import { locationComponent } from "../services/location/component.ts";
import { myComponent } from "../services/my/component.ts";
import { scanComponent } from "../services/scan/component.ts";
import { aiComponent } from "../workers/ai/component.ts";
import { storageComponent } from "../workers/storage/component.ts";

/** Every gRPC component's definition, by catalog name: the type makes a missing one an error. */
export const COMPONENT_DEFINITIONS: { readonly [N in GrpcComponentName]: Component } = {
  auth: authComponent,
  my: myComponent,
  scan: scanComponent,
  character: characterComponent,
  location: locationComponent,
  info: infoComponent,
  chat: chatComponent,
  storage: storageComponent,
  ai: aiComponent,
};

/** One process holds every component, so it reads all their settings and every address. */
const everyComponentSettings = Object.assign(
  {},
  ...GRPC_COMPONENT_NAMES.map((name) => CATALOG[name].settings),
) as UnionToIntersection<(typeof CATALOG)[GrpcComponentName]["settings"]>;

export const allInOneConfigSpecs = {
  ...gatewayConfigSpecs,
  ...everyComponentSettings,
  /**
   * Components this process leaves out (comma-separated), because they run as their own process
   * beside it, e.g. `ai` while a test stops and restarts that worker.
   */
  ALL_IN_ONE_EXCEPT: text({ default: "" }),
};

/**
 * Where the all-in-one start differs from a component's own default: a laptop wants dev login and
 * the demo page to try it with.
 */
export const ALL_IN_ONE_DEFAULTS: Readonly<Record<string, string>> = {
  AUTH_DEV_LOGIN: "true",
  DEMO_PAGE: "true",
};

export type AllInOneConfig = Config<typeof allInOneConfigSpecs>;

export function readAllInOneConfig(
  env: Record<string, string | undefined> = process.env,
): AllInOneConfig {
  return readConfig(allInOneConfigSpecs, { ...ALL_IN_ONE_DEFAULTS, ...env });
}

export interface AllInOne {
  readonly gateway: RunningGateway;
  readonly servers: ReadonlyMap<string, RpcServer>;
  readonly shutdown: GracefulShutdown;
  readonly log: Logger;
  readonly platform: Platform;
}

/**
 * startAllInOne runs the whole system in this one process: every component's gRPC server on its
 * own loopback port (reached over real gRPC, exactly as in Kubernetes) and the gateway in front.
 * If any component fails to start, it prints one line naming it, stops what did start and exits 1:
 * it never serves half a system.
 */
export async function startAllInOne(
  booted: BootedProcess<AllInOneConfig>,
  definitions: typeof COMPONENT_DEFINITIONS = COMPONENT_DEFINITIONS,
): Promise<AllInOne> {
  const { config, log, shutdown, readiness: gatewayReadiness } = booted;
  try {
    const options = platformOptions(config, "eco2", log, config.PORT);
    log.info({ backends: describePlatform(options) }, "starting all components in one process");
    const platform = await openPlatform(options);
    registerPlatformShutdown(shutdown, platform);
    platform.watch(gatewayReadiness);
    const servers = new Map<string, RpcServer>();
    const left = leftOut(config.ALL_IN_ONE_EXCEPT);
    for (const name of GRPC_COMPONENT_NAMES) {
      if (left.has(name)) continue;
      servers.set(name, await startOne(name, definitions[name], booted, platform));
    }
    const media = platform.media && {
      ...platform.media,
      store: platform.objects,
      maxBytes: config.MAX_UPLOAD_BYTES,
    };
    const gateway = await startGateway({
      config,
      log,
      readiness: gatewayReadiness,
      shutdown,
      media,
      cache: platform.cache,
    });
    return { gateway, servers, shutdown, log, platform };
  } catch (err) {
    return failStart("eco2", err, shutdown);
  }
}

function leftOut(list: string): Set<string> {
  const names = list
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter(
    (name) => !(GRPC_COMPONENT_NAMES as readonly string[]).includes(name),
  );
  if (unknown.length > 0)
    throw new Error(`ALL_IN_ONE_EXCEPT names unknown components: ${unknown.join(", ")}`);
  return new Set(names);
}

function startOne(
  name: GrpcComponentName,
  component: Component,
  { config, log, shutdown }: BootedProcess<AllInOneConfig>,
  platform: Platform,
): Promise<RpcServer> {
  const componentLog = log.child({ service: name });
  const readiness = new Readiness();
  shutdown.whenStopping(() => readiness.markShuttingDown());
  platform.watch(readiness);
  return startComponent({
    component,
    config,
    host: "127.0.0.1",
    // The port of the address callers are told to use, so callers and server agree.
    port: Number(gatewayPeerAddresses(config)[name].split(":").at(-1)),
    log: componentLog,
    readiness,
    shutdown,
    platform,
  });
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;
