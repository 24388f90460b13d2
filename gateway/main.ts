// Bun entry of the gateway: `bun gateway/main.ts`. It calls the services at their *_ADDR.
import { bootProcess } from "../lib/process/boot-process.ts";
import { readGatewayConfig } from "./config.ts";
import { startGateway } from "./server.ts";

const { config, log, readiness, shutdown } = bootProcess("gateway", () => readGatewayConfig());
startGateway({ config, log, readiness, shutdown });
