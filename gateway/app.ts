import { cors } from "@elysiajs/cors";
import { type ElysiaOpenAPIConfig, openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { DEFAULT_MAX_BODY_BYTES } from "../catalog/defaults.ts";
import type { Cache } from "../lib/cache/cache.ts";
import { runWithContext } from "../lib/context/request-context.ts";
import type { Readiness } from "../lib/health/readiness.ts";
import type { Logger } from "../lib/log/create-logger.ts";
import { REQUEST_ID_HEADER } from "../lib/rpc/call-context.ts";
import { ChatMessageLimit } from "./chat-message-limit.ts";
import { createServiceClients, type ServiceClients } from "./clients.ts";
import { authOptions, corsOrigins, type GatewayConfig, gatewayPeerAddresses } from "./config.ts";
import { bodyLimit } from "./plugins/body-limit.ts";
import { errorHandler } from "./plugins/error-handler.ts";
import { contextFromRequest, httpContext } from "./plugins/http-context.ts";
import { securityHeaders } from "./plugins/security-headers.ts";
import { sessionGuard } from "./plugins/session-guard.ts";
import { type AuthRouteOptions, authRoutes } from "./routes/auth.ts";
import { characterRoutes } from "./routes/character.ts";
import { chatRoutes } from "./routes/chat.ts";
import { type ChatSocketUpgrade, chatStreamRoutes } from "./routes/chat-stream.ts";
import { type DemoAssets, demoRoutes } from "./routes/demo.ts";
import { DOCS_SCRIPT_PATH, docsAssetRoutes } from "./routes/docs-assets.ts";
import { imagesRoutes } from "./routes/images.ts";
import { infoRoutes } from "./routes/info.ts";
import { locationsRoutes } from "./routes/locations.ts";
import { type MediaRouteOptions, mediaRoutes } from "./routes/media.ts";
import { opsRoutes } from "./routes/ops.ts";
import { scanRoutes } from "./routes/scan.ts";
import { scanEventRoutes } from "./routes/scan-events.ts";
import { usersRoutes } from "./routes/users.ts";
import { clientAddress, openSessionGuard, type SessionGuard } from "./session-guard.ts";

// Scalar's configuration type lists every option as required; these two are all we set.
const DOCS_UI = { cdn: DOCS_SCRIPT_PATH, withDefaultFonts: false } as NonNullable<
  ElysiaOpenAPIConfig["scalar"]
>;

export interface GatewayDependencies {
  clients: ServiceClients;
  /** Lets a request in or answers 401/403/400/429 for it (gateway/session-guard.ts). */
  guard: SessionGuard;
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
  /** The built demo page to serve at / and /demo; unset (DEMO_PAGE off): not served. */
  demo?: DemoAssets;
  /** Chat messages per user per minute (C6 and WebSocket); unset: no chat-specific limit. */
  chatMessageLimit?: ChatMessageLimit;
  /** The runtime's WebSocket upgrade for /api/v1/chat/ws; unset: that route answers 501. */
  chatSocket?: ChatSocketUpgrade;
}

/**
 * createApp builds the gateway's Elysia app without listening, so tests drive it in-process and
 * each runtime serves it its own way (Bun in main.ts, Deno.serve(app.fetch) elsewhere).
 */
export function createApp(deps: GatewayDependencies) {
  return (
    new Elysia({ name: "eco2/gateway" })
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
      // After CORS, so a refusal still carries the CORS headers the browser needs to read it.
      .use(sessionGuard(deps.guard))
      .use(
        openapi({
          path: "/openapi",
          // The JWKS route has a dot in its path, which the plugin would hide as a static file.
          exclude: { staticFile: false },
          // The UI comes from this gateway, not a CDN, and asks for no web fonts: docs work offline.
          scalar: DOCS_UI,
          documentation: {
            info: {
              title: "Eco² API",
              version: "1.0.0",
              description:
                "이코에코: scan an item, learn how to dispose of it, collect characters.",
            },
          },
        }),
      )
      .use(docsAssetRoutes())
      .use(opsRoutes(deps.clients, deps.readiness))
      .use(mediaRoutes(deps.media && { ...deps.media, onStored: processOnPut(deps) }))
      .use(
        authRoutes(deps.clients, { allowedOrigins: deps.corsOrigins, log: deps.log, ...deps.auth }),
      )
      .use(usersRoutes(deps.clients))
      .use(scanRoutes(deps.clients))
      .use(scanEventRoutes(deps.clients))
      .use(characterRoutes(deps.clients))
      .use(locationsRoutes(deps.clients))
      .use(infoRoutes(deps.clients))
      .use(chatRoutes(deps.clients, { messageLimit: deps.chatMessageLimit }))
      .use(chatStreamRoutes(deps.clients, { socket: deps.chatSocket }))
      .use(imagesRoutes(deps.clients))
      .use(demoRoutes(deps.demo))
  );
}

export type GatewayApp = ReturnType<typeof createApp>;

/**
 * fetchWithContext serves a request inside its request context, so logs and outgoing RPCs carry
 * its request id and trace.
 */
export function fetchWithContext(app: GatewayApp, trustedProxyHops = 0) {
  return (request: Request, socketIp = ""): Promise<Response> =>
    runWithContext(
      contextFromRequest(request, clientAddress(request, socketIp, trustedProxyHops)),
      () => app.handle(request),
    );
}

/**
 * processOnPut has the storage worker process an upload as soon as its local PUT lands (CONTRACT
 * §A.11), so the first scan that names it finds it ready. A refusal is not the uploader's answer
 * here: the PUT already succeeded, and the same refusal reaches them when they use the image.
 */
function processOnPut(deps: Pick<GatewayDependencies, "clients" | "log">) {
  return (key: string) => {
    deps.clients.images.processUpload({ storedKey: key }).catch((err: unknown) => {
      deps.log.debug({ err, key }, "upload not processed on PUT");
    });
  };
}

/**
 * createAppFromConfig builds the app, its service clients and its session guard from the
 * gateway's configuration. It resolves once the guard holds every live revocation, so nothing is
 * served before; each runtime's entry serves the app and calls `close` when it stops.
 */
export async function createAppFromConfig(
  config: GatewayConfig,
  dependencies: {
    log: Logger;
    readiness: Readiness;
    cache: Cache;
    media?: MediaRouteOptions;
    demo?: DemoAssets;
    chatSocket?: ChatSocketUpgrade;
  },
) {
  const { log, readiness, cache, media, demo, chatSocket } = dependencies;
  const clients = createServiceClients({
    transport: config.RPC_TRANSPORT,
    timeoutMs: config.RPC_TIMEOUT_MS,
    address: (name) => gatewayPeerAddresses(config)[name],
  });
  const session = await openSessionGuard(config, { clients, cache, log });
  const chatMessageLimit = new ChatMessageLimit({
    cache,
    perMinute: config.RATE_LIMIT_CHAT_MESSAGES_PER_MINUTE,
    log,
  });
  const app = createApp({
    clients,
    guard: session.guard,
    readiness,
    log,
    corsOrigins: corsOrigins(config),
    hsts: config.HSTS,
    auth: { ...authOptions(config), devLogin: config.AUTH_DEV_LOGIN },
    media,
    maxBodyBytes: config.MAX_BODY_BYTES,
    demo,
    chatMessageLimit,
    chatSocket,
  });
  return {
    app,
    fetch: fetchWithContext(app, config.TRUSTED_PROXY_HOPS),
    clients,
    chatMessageLimit,
    async close() {
      await session.stop();
      clients.close();
    },
  };
}
