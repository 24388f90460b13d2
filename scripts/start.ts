// `npm start`: the whole of Eco² in one Bun process, on embedded defaults unless
// DATABASE_URL / REDIS_URL / AMQP_URL point at real servers.
import { exitOnConfigError } from "../lib/process/run-component.ts";
import { type AllInOneConfig, readAllInOneConfig, startAllInOne } from "./all-in-one.ts";

let config: AllInOneConfig;
try {
  config = readAllInOneConfig();
} catch (err) {
  exitOnConfigError(err, "eco2");
}

const system = await startAllInOne(config);
system.shutdown.listen();
const base = `http://localhost:${system.gateway.port}`;
process.stdout.write(
  [
    "",
    "  Eco² is running.",
    `  API      ${base}/api/v1`,
    `  Docs     ${base}/openapi   (JSON: ${base}/openapi/json)`,
    `  Health   ${base}/healthz   ${base}/readyz   ${base}/metrics`,
    "",
    "",
  ].join("\n"),
);
