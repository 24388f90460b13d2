export { type BootedProcess, bootProcess, exitOnConfigError } from "./boot-process.ts";
export {
  type Component,
  type ComponentContext,
  type ComponentInstance,
  type ComponentSpec,
  defineComponent,
  type PeerAddress,
  type PeerClients,
} from "./component.ts";
export { failStart } from "./fail-start.ts";
export { type MetricsServer, startMetricsServer } from "./metrics-server.ts";
export {
  createPeerClients,
  peerAddresses,
  peerAddressSpecs,
  UndeclaredCallError,
} from "./peer-clients.ts";
export {
  describePlatform,
  MEDIA_BASE_PATH,
  openPlatform,
  type Platform,
  type PlatformConfig,
  type PlatformOptions,
  platformOptions,
} from "./platform.ts";
export { LOG_LEVELS, processConfigSpecs } from "./process-config.ts";
export { componentConfigSpecs, registerPlatformShutdown, runComponent } from "./run-component.ts";
export { ComponentStartError, startComponent } from "./start-component.ts";
