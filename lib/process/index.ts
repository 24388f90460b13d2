export { type BootedProcess, bootProcess, exitOnConfigError } from "./boot-process.ts";
export {
  type Component,
  type ComponentContext,
  type ComponentInstance,
  defineComponent,
} from "./component.ts";
export { type MetricsServer, startMetricsServer } from "./metrics-server.ts";
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
export { registerPlatformShutdown, runComponent } from "./run-component.ts";
