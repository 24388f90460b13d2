import { type ElysiaOpenAPIConfig, openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { DEFAULT_MAX_BODY_BYTES } from "../catalog/defaults.ts";
import type { Cache } from "../lib/cache/cache.ts";
import { runWithContext } from "../lib/context/request-context.ts";
import { acceptRequestId } from "../lib/context/traceparent.ts";
import type { Readiness } from "../lib/health/readiness.ts";
import type { Logger } from "../lib/log/create-logger.ts";
import { REQUEST_ID_HEADER } from "../lib/rpc/call-context.ts";
import { isApiError } from "./api-error.ts";
import type { QuietJobs } from "./chat-events.ts";
import { ChatMessageLimit } from "./chat-message-limit.ts";
import { createServiceClients, type ServiceClients } from "./clients.ts";
import { authOptions, corsOrigins, type GatewayConfig, gatewayPeerAddresses } from "./config.ts";
import { bodyLimit } from "./plugins/body-limit.ts";
import { cors } from "./plugins/cors.ts";
import { errorHandler } from "./plugins/error-handler.ts";
import {
  CATCH_ALL,
  finishResponse,
  GatewayContext,
  httpContext,
  recordHttp,
  recordRoute,
  type SocketIp,
  unroutedApi,
} from "./plugins/http-context.ts";
import { PrebuiltJson, securityHeaders } from "./plugins/security-headers.ts";
import { decideAccess, decideAccessNow, pathOf, sessionGuard } from "./plugins/session-guard.ts";
import {
  RATE_LIMIT_LIMIT,
  RATE_LIMIT_REMAINING,
  RATE_LIMIT_RESET,
  type RateLimitHeaders,
} from "./rate-limit-headers.ts";
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
import { openSessionGuard, type SessionGuard } from "./session-guard.ts";

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
  /** Where quiet chat jobs wait without an RPC stream; unset: each follower holds its stream. */
  quietChatJobs?: QuietJobs;
}

/**
 * createApp builds the gateway's Elysia app without listening, so tests drive it in-process and
 * each runtime serves it its own way (Bun in main.ts, Deno.serve(app.fetch) elsewhere).
 */
export function createApp(deps: GatewayDependencies) {
  const corsPolicy = cors({
    origins: deps.corsOrigins,
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
      RATE_LIMIT_LIMIT,
      RATE_LIMIT_REMAINING,
      RATE_LIMIT_RESET,
    ],
    maxAge: 600,
  });
  const secure = securityHeaders({ hsts: deps.hsts });
  const limit = bodyLimit(
    deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    deps.media ? [deps.media.basePath] : [],
  );
  const app = new Elysia({ name: "eco2/gateway" })
    .use(errorHandler(deps.log))
    .use(httpContext())
    .use(limit.plugin)
    .use(corsPolicy.preflight)
    // After CORS, so a refusal still carries the CORS headers the browser needs to read it.
    .use(sessionGuard())
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
            description: "이코에코: scan an item, learn how to dispose of it, collect characters.",
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
    .use(chatStreamRoutes(deps.clients, { socket: deps.chatSocket, quiet: deps.quietChatJobs }))
    .use(imagesRoutes(deps.clients))
    .use(demoRoutes(deps.demo))
    // Last: every path no route serves. Elysia's own 404 takes its asynchronous error path.
    // `return new …`, not `return f(…)`: Elysia reads `=> f(` or `return f(` in a handler's
    // source as possibly asynchronous and would compile the route async (edge.test.ts checks).
    .all(
      CATCH_ALL,
      function notFound({ path }) {
        return new PrebuiltJson(NOT_FOUND_BODY, { status: 404, headers: secure.block(path) });
      },
      { detail: { hide: true } },
    );
  edges.set(app, {
    guard: deps.guard,
    decorate: (response, headers, request, path) => {
      secure.decorate(response, headers, path);
      corsPolicy.onResponse(response, request);
    },
    fixed: new Map([["/healthz", HEALTHZ_BODY]]),
    answer: secure.answer,
    cors: corsPolicy.onResponse,
    tooLarge: limit.tooLarge,
    unrouted: unroutedApi(app.routes.map((route) => route.path)),
  });
  return app;
}

const HEALTHZ_BODY = JSON.stringify({ status: "ok" });
const NOT_FOUND_BODY = JSON.stringify({ detail: "not found", code: "NOT_FOUND" });

/**
 * What contextHandler does around an app: the session guard before it, and the headers every
 * response carries after it (cheaper on the built response than through Elysia's header object).
 */
interface Edge {
  readonly guard: SessionGuard;
  readonly decorate: (response: Response, headers: Headers, request: Request, path: string) => void;
  /**
   * GET paths whose answer never changes (liveness), answered before the app: path → JSON body.
   * The app keeps their routes too, for the API document and for callers of app.handle.
   */
  readonly fixed: ReadonlyMap<string, string>;
  /** A JSON answer on the prebuilt security header block, with the request's own headers. */
  readonly answer: (
    body: string,
    status: number,
    path: string,
    requestId: string,
    rateLimit?: RateLimitHeaders,
  ) => Response;
  /** Marks an answer readable by the request's origin, if allowed (plugins/cors.ts). */
  readonly cors: (response: Response, request: Request) => void;
  /** The body limit the app would refuse first (plugins/body-limit.ts). */
  readonly tooLarge: (request: Request) => boolean;
  /** True for an API path only the catch-all serves: the edge answers its 404 itself. */
  readonly unrouted: (path: string) => boolean;
}

const edges = new WeakMap<object, Edge>();

export type GatewayApp = ReturnType<typeof createApp>;

/** edgeOf is the edge createApp kept for `app`; `caller` names who asked, should there be none. */
function edgeOf(app: GatewayApp, caller: string): Edge {
  const edge = edges.get(app);
  if (!edge) throw new Error(`${caller} needs an app made by createApp`);
  return edge;
}

/** fetchWithContext is contextHandler for callers that want a promise every time (tests). */
export function fetchWithContext(app: GatewayApp, trustedProxyHops = 0) {
  const handle = contextHandler(app, trustedProxyHops);
  return async (request: Request, socketIp: SocketIp = "") => handle(request, socketIp);
}

/**
 * contextHandler serves a request inside its request context, so logs and outgoing RPCs carry
 * its request id and trace: it asks the session guard first (only paths that need a session
 * wait for it), runs the app, and records the RED metrics. `socketIp` may be the server that
 * knows the address, asked only when it is needed (SocketIp). A response the app makes
 * synchronously is returned as is, not wrapped in a promise.
 *
 * Three answers skip the app (bench/README.md): a fixed route (/healthz), which needs no
 * context, a guard's refusal (401/403/400/429), which Elysia would send down its asynchronous
 * error path, and the 404 of an API path no route serves (unroutedApi). All carry the same
 * headers, request id and metrics as the app's answers. When the guard decided at once, the
 * last two are made outside AsyncLocalStorage: nothing in them logs or calls out, and the
 * context object still gives them the request id.
 */
export function contextHandler(app: GatewayApp, trustedProxyHops = 0) {
  const edge = edgeOf(app, "contextHandler");
  const handle = app.fetch;
  const fixedLengths = new Set([...edge.fixed.keys()].map((path) => path.length));
  const done = (
    response: Response,
    request: Request,
    path: string,
    context: GatewayContext,
    started: number,
  ) => {
    const finished = finishResponse(response, context, request, path, edge.decorate);
    recordHttp(context, request.method, finished.status, started);
    return finished;
  };
  /** An answer the edge makes itself, with the request's id, rate-limit headers, CORS and metrics. */
  const edgeAnswer = (
    body: string,
    status: number,
    request: Request,
    path: string,
    context: GatewayContext,
    started: number,
    extra?: Readonly<Record<string, string>>,
  ): Response => {
    const rateLimit = context.verdict?.rateLimit;
    const response = edge.answer(body, status, path, context.requestId, rateLimit);
    for (const name in extra) response.headers.set(name, extra[name]!);
    edge.cors(response, request);
    recordHttp(context, request.method, status, started);
    return response;
  };
  /** The edge's own answer to a decided request (a refusal, an unrouted API path), if any. */
  const ownAnswer = (
    request: Request,
    path: string,
    context: GatewayContext,
    started: number,
  ): Response | undefined => {
    const refusal = context.verdict?.error;
    // The app refuses an oversized body before the guard or the router: only it answers those.
    if (isApiError(refusal) && !edge.tooLarge(request)) {
      const body = JSON.stringify({ detail: refusal.detail, code: refusal.code });
      return edgeAnswer(body, refusal.status, request, path, context, started, refusal.headers);
    }
    // What the catch-all would answer, without Elysia's router and hooks (counted as unmatched).
    if (
      refusal === undefined &&
      request.method !== "OPTIONS" &&
      edge.unrouted(path) &&
      !edge.tooLarge(request)
    ) {
      return edgeAnswer(NOT_FOUND_BODY, 404, request, path, context, started);
    }
    return undefined;
  };
  /** The app's answer, run inside the request's context (its routes log and call out). */
  const appAnswer = (
    request: Request,
    path: string,
    context: GatewayContext,
    started: number,
  ): Response | Promise<Response> => {
    const answer = handle(request);
    return answer instanceof Promise
      ? answer.then((response) => done(response, request, path, context, started))
      : done(answer, request, path, context, started);
  };
  const respond = (request: Request, path: string, context: GatewayContext, started: number) =>
    ownAnswer(request, path, context, started) ?? appAnswer(request, path, context, started);
  return (request: Request, socketIp: SocketIp = ""): Response | Promise<Response> => {
    const started = performance.now();
    const path = pathOf(request.url);
    // Comparing lengths first spares most requests hashing their path.
    if (fixedLengths.has(path.length) && request.method === "GET") {
      const body = edge.fixed.get(path);
      if (body !== undefined) return fixedAnswer(edge, request, path, body, started);
    }
    const context = new GatewayContext(request, socketIp, trustedProxyHops);
    // Most requests are decided at once, with nothing asynchronous started: an answer the edge
    // makes itself then needs no AsyncLocalStorage (~0.3 µs); only the app and waiting do.
    if (decideAccessNow(edge.guard, request, path, context)) {
      return (
        ownAnswer(request, path, context, started) ??
        runWithContext(context, () => appAnswer(request, path, context, started))
      );
    }
    return runWithContext(context, () => {
      const deciding = decideAccess(edge.guard, request, path, context);
      return deciding
        ? deciding.then(() => respond(request, path, context, started))
        : respond(request, path, context, started);
    });
  };
}

/** A fixed route's answer, given its request, for a server that matches the path itself. */
export type FixedAnswer = (request: Request) => Response;

/**
 * fixedRoutes gives each fixed route's answer by path, for a server that matches paths before
 * any JavaScript runs (Bun.serve's `routes`, gateway/server.ts): the answer contextHandler gives
 * for a GET (or HEAD) of that path, without reading the URL to find it.
 */
export function fixedRoutes(app: GatewayApp): ReadonlyMap<string, FixedAnswer> {
  const edge = edgeOf(app, "fixedRoutes");
  return new Map(
    [...edge.fixed].map(([path, body]) => [
      path,
      (request: Request) => fixedAnswer(edge, request, path, body, performance.now()),
    ]),
  );
}

/** fixedAnswer answers a fixed route with its request id, CORS and security headers, and metrics. */
function fixedAnswer(
  edge: Edge,
  request: Request,
  path: string,
  body: string,
  started: number,
): Response {
  const requestId = acceptRequestId(request.headers.get(REQUEST_ID_HEADER));
  const response = edge.answer(body, 200, path, requestId);
  edge.cors(response, request);
  // A server's route may hand this a HEAD too; it is counted as the app would count it.
  recordRoute(request.method, path, 200, started);
  return response;
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
    quietChatJobs: { cache },
  });
  return {
    app,
    fetch: contextHandler(app, config.TRUSTED_PROXY_HOPS),
    fixed: fixedRoutes(app),
    clients,
    chatMessageLimit,
    async close() {
      await session.stop();
      clients.close();
    },
  };
}
