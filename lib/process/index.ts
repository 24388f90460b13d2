export {
  type Component,
  type ComponentContext,
  type ComponentInstance,
  defineComponent,
} from "./component.ts";
export { type MetricsServer, startMetricsServer } from "./metrics-server.ts";
export {
  describePlatform,
  openPlatform,
  type Platform,
  type PlatformOptions,
} from "./platform.ts";
export { LOG_LEVELS, processConfigSpecs } from "./process-config.ts";
export { exitOnConfigError, registerPlatformShutdown, runComponent } from "./run-component.ts";
