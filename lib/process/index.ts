export {
  type Component,
  type ComponentContext,
  type ComponentInstance,
  defineComponent,
} from "./component.ts";
export { type MetricsServer, startMetricsServer } from "./metrics-server.ts";
export { LOG_LEVELS, processConfigSpecs } from "./process-config.ts";
export { exitOnConfigError, runComponent } from "./run-component.ts";
