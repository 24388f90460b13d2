// `npm start`: the whole of Eco² in one Bun process, on embedded defaults unless
// DATABASE_URL / REDIS_URL / AMQP_URL point at real servers.
import { bootProcess } from "../lib/process/boot-process.ts";
import { readAllInOneConfig, startAllInOne } from "./all-in-one.ts";

const system = await startAllInOne(bootProcess("eco2", () => readAllInOneConfig()));
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
