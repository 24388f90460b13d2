import { cors } from "@elysiajs/cors";
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { DEFAULT_MAX_BODY_BYTES } from "../catalog/defaults.ts";
import { runWithContext } from "../lib/context/request-context.ts";
import type { Readiness } from "../lib/health/readiness.ts";
import type { Logger } from "../lib/log/create-logger.ts";
import { REQUEST_ID_HEADER } from "../lib/rpc/call-context.ts";
import { createServiceClients, type ServiceClients } from "./clients.ts";
import { authOptions, corsOrigins, type GatewayConfig, gatewayPeerAddresses } from "./config.ts";
import { bodyLimit } from "./plugins/body-limit.ts";
import { errorHandler } from "./plugins/error-handler.ts";
import { contextFromRequest, httpContext } from "./plugins/http-context.ts";
import { securityHeaders } from "./plugins/security-headers.ts";
import { type AuthRouteOptions, authRoutes } from "./routes/auth.ts";
import { characterRoutes } from "./routes/character.ts";
import { chatRoutes } from "./routes/chat.ts";
import { imagesRoutes } from "./routes/images.ts";
import { infoRoutes } from "./routes/info.ts";
import { locationsRoutes } from "./routes/locations.ts";
import { type MediaRouteOptions, mediaRoutes } from "./routes/media.ts";
import { opsRoutes } from "./routes/ops.ts";
import { scanRoutes } from "./routes/scan.ts";
import { usersRoutes } from "./routes/users.ts";

export interface GatewayDependencies {
  clients: ServiceClients;
  readiness: Readiness;
  log: Logger;
  corsOrigins: readonly string[];
  hsts: boolean;
  /** The local object store's signed-URL route; unset when objects live in S3. */
  media?: MediaRouteOptions;
  /** Largest API request body, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Login redirect and cookie settings; defaults in authRouteOptions (origins: corsOrigins). */
  auth?: Partial<AuthRouteOptions>;
}

/**
 * createApp builds the gateway's Elysia app without listening, so tests drive it in-process and
 * each runtime serves it its own way (Bun in main.ts, Deno.serve(app.fetch) elsewhere).
 */
export function createApp(deps: GatewayDependencies) {
  return new Elysia({ name: "eco2/gateway" })
    .use(errorHandler(deps.log))
    .use(httpContext())
    .use(securityHeaders({ hsts: deps.hsts }))
    .use(
      bodyLimit(
        deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        deps.media ? [deps.media.basePath] : [],
      ),
    )
    .use(
      cors({
        origin: [...deps.corsOrigins],
        credentials: true,
        methods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allowedHeaders: [
          "content-type",
          "authorization",
          "x-refresh-token",
          REQUEST_ID_HEADER,
          "x-idempotency-key",
          "x-frontend-origin",
          "last-event-id",
          "traceparent",
        ],
        exposeHeaders: [
          REQUEST_ID_HEADER,
          "retry-after",
          "ratelimit-limit",
          "ratelimit-remaining",
          "ratelimit-reset",
        ],
        maxAge: 600,
      }),
    )
    .use(
      openapi({
        path: "/openapi",
        // The JWKS route has a dot in its path, which the plugin would hide as a static file.
        exclude: { staticFile: false },
        documentation: {
          info: {
            title: "Eco² API",
            version: "1.0.0",
            description: "이코에코: scan an item, learn how to dispose of it, collect characters.",
          },
        },
      }),
    )
    .use(opsRoutes(deps.clients, deps.readiness))
    .use(mediaRoutes(deps.media))
    .use(
      authRoutes(deps.clients, { allowedOrigins: deps.corsOrigins, log: deps.log, ...deps.auth }),
    )
    .use(usersRoutes(deps.clients))
    .use(scanRoutes(deps.clients))
    .use(characterRoutes(deps.clients))
    .use(locationsRoutes(deps.clients))
    .use(infoRoutes(deps.clients))
    .use(chatRoutes(deps.clients))
    .use(imagesRoutes(deps.clients));
}

export type GatewayApp = ReturnType<typeof createApp>;

/**
 * fetchWithContext serves a request inside its request context, so logs and outgoing RPCs carry
 * its request id and trace.
 */
export function fetchWithContext(app: GatewayApp) {
  return (request: Request): Promise<Response> =>
    runWithContext(contextFromRequest(request), () => app.handle(request));
}

/**
 * createAppFromConfig builds the app and its service clients from the gateway's configuration;
 * each runtime's entry serves the result and closes the clients when it stops.
 */
export function createAppFromConfig(
  config: GatewayConfig,
  log: Logger,
  readiness: Readiness,
  media?: MediaRouteOptions,
) {
  const clients = createServiceClients({
    transport: config.RPC_TRANSPORT,
    timeoutMs: config.RPC_TIMEOUT_MS,
    address: (name) => gatewayPeerAddresses(config)[name],
  });
  const app = createApp({
    clients,
    readiness,
    log,
    corsOrigins: corsOrigins(config),
    hsts: config.HSTS,
    auth: authOptions(config),
    media,
    maxBodyBytes: config.MAX_BODY_BYTES,
  });
  return { app, clients };
}
