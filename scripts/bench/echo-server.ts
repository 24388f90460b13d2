// Child process for the rpc benchmark: serves the test EchoService over one transport, so the
// client under test does not share an event loop with the server.
import { Readiness } from "../../lib/health/readiness.ts";
import { createLogger } from "../../lib/log/create-logger.ts";
import { createRpcServer, type RpcTransport } from "../../lib/rpc/index.ts";
import { echoService } from "../../test/support/echo-service.ts";

const transport = (process.argv[2] ?? "grpc-js") as RpcTransport;
const server = createRpcServer({
  transport,
  port: 0,
  services: [echoService()],
  readiness: new Readiness(),
  log: createLogger({ service: "bench-echo", level: "silent" }),
});
await server.start();
process.stdout.write(`${server.port}\n`);
process.on("SIGTERM", () => {
  server.forceStop();
  process.exit(0);
});
