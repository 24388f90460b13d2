// Bun entry of the gateway: `bun gateway/main.ts`. It calls the services at their *_ADDR and keeps
// its revocation list and rate limits in the cache at REDIS_URL (in-process when unset).
import { openCache } from "../lib/cache/open-cache.ts";
import { bootProcess } from "../lib/process/boot-process.ts";
import { failStart } from "../lib/process/fail-start.ts";
import { readGatewayConfig } from "./config.ts";
import { startGateway } from "./server.ts";

const { config, log, readiness, shutdown } = bootProcess("gateway", () => readGatewayConfig());
try {
  const cache = await openCache({ url: config.REDIS_URL, keyPrefix: "eco2:", log });
  readiness.addCheck("redis", () => cache.ping());
  shutdown.add({ name: "cache", phase: "close", run: () => cache.close() });
  await startGateway({ config, log, readiness, shutdown, cache });
} catch (err) {
  await failStart("gateway", err, shutdown);
}
