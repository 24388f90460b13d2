export {
  type Config,
  ConfigError,
  type ConfigSpecs,
  isConfigError,
  readConfig,
} from "./read-config.ts";
export { address, flag, hostPort, oneOf, positiveInt, tcpPort, text } from "./validators.ts";
