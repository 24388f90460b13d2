// The gateway app built in-process with no service reachable (port 9, discard): for tests of what
// the gateway answers on its own (errors, CORS, headers, the session guard, media).
import {
  contextHandler,
  createApp,
  fetchWithContext,
  type GatewayDependencies,
} from "../../gateway/app.ts";
import { createServiceClients } from "../../gateway/clients.ts";
import { Readiness } from "../../lib/health/readiness.ts";
import type { testSession } from "./session.ts";
import { silentLog } from "./silent-log.ts";

export function offlineGateway(
  session: Awaited<ReturnType<typeof testSession>>,
  options: Partial<Omit<GatewayDependencies, "clients" | "guard">> = {},
) {
  const clients = createServiceClients({
    transport: "grpc-js",
    timeoutMs: 300,
    address: () => "127.0.0.1:9",
  });
  const app = createApp({
    clients,
    guard: session.guard,
    readiness: new Readiness(),
    log: silentLog,
    corsOrigins: [],
    hsts: false,
    ...options,
  });
  // fetch always answers a promise (handy in tests); handle is the edge as served, which may not.
  return { app, fetch: fetchWithContext(app), handle: contextHandler(app), clients };
}
