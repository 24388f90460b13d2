export {
  GracefulShutdown,
  type GracefulShutdownOptions,
  type ShutdownHook,
  type ShutdownPhase,
} from "./graceful-shutdown.ts";
