import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { Cache } from "../lib/cache/cache.ts";
import type { RequestContext } from "../lib/context/request-context.ts";
import type { Readiness } from "../lib/health/readiness.ts";
import type { Logger } from "../lib/log/create-logger.ts";
import type { GracefulShutdown } from "../lib/shutdown/graceful-shutdown.ts";
import { createAppFromConfig, type FixedAnswer } from "./app.ts";
import { ChatSocket, type ChatSocketOptions, type SocketIdentity } from "./chat-socket.ts";
import type { GatewayConfig } from "./config.ts";
import { buildDemoPage } from "./demo-bundle.ts";
import type { ChatSocketUpgrade } from "./routes/chat-stream.ts";
import type { DemoAssets } from "./routes/demo.ts";
import type { MediaRouteOptions } from "./routes/media.ts";

export interface RunningGateway {
  readonly port: number;
  readonly inFlight: () => number;
  /** Chat WebSockets open right now. */
  readonly openSockets: () => number;
}

interface SocketData {
  readonly identity: SocketIdentity;
  chat?: ChatSocket;
}

/**
 * chatWebSockets is Bun's side of the chat WebSocket: the upgrade the app calls once the session
 * guard has let the request in, and the socket handlers that hand frames to ChatSocket (which
 * holds the protocol, runtime-neutral). Bun pings an idle socket and closes it when nothing, not
 * even the pong, comes back within idleTimeout.
 */
export function chatWebSockets(
  options: Omit<ChatSocketOptions, "log"> & {
    log: Logger;
    idleTimeoutSeconds: number;
    maxPayloadBytes: number;
    /** How often quiet sockets are checked for an expired or revoked session. Default 15 s. */
    sessionCheckMs?: number;
  },
) {
  const sockets = new Set<ServerWebSocket<SocketData>>();
  // One timer for every socket: a socket that sends nothing still ends with its session.
  const sessionTimer = setInterval(() => {
    for (const ws of sockets) ws.data.chat?.checkSession();
  }, options.sessionCheckMs ?? 15_000);
  sessionTimer.unref?.();
  const upgraded = new WeakSet<Request>();
  let server: Server<SocketData> | undefined;
  const upgrader: ChatSocketUpgrade = {
    upgrade(request: Request, context: RequestContext) {
      const identity: SocketIdentity = {
        userId: context.userId,
        authProvider: context.authProvider,
        clientIp: context.clientIp,
        sessionCheck: context.sessionCheck,
      };
      const ok = server?.upgrade(request, { data: { identity } }) ?? false;
      if (ok) upgraded.add(request);
      return ok;
    },
  };
  const websocket: WebSocketHandler<SocketData> = {
    idleTimeout: options.idleTimeoutSeconds,
    sendPings: true,
    maxPayloadLength: options.maxPayloadBytes,
    open(ws) {
      sockets.add(ws);
      ws.data.chat = new ChatSocket(
        { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) },
        ws.data.identity,
        options,
      );
    },
    message(ws, message) {
      void ws.data.chat?.onMessage(message);
    },
    drain(ws) {
      ws.data.chat?.onDrain();
    },
    close(ws) {
      sockets.delete(ws);
      ws.data.chat?.onClose();
    },
  };
  return {
    upgrader,
    websocket,
    /** bind gives the upgrade its server, once Bun.serve has made it. */
    bind(bound: Server<SocketData>) {
      server = bound;
    },
    /** wasUpgraded tells fetch to answer nothing: the socket has taken the connection. */
    wasUpgraded: (request: Request) => upgraded.has(request),
    open: () => sockets.size,
    /** closeAll ends every socket with 1001 (going away): clients resume on another instance. */
    closeAll(reason = "server shutting down") {
      clearInterval(sessionTimer);
      for (const ws of sockets) ws.close(1001, reason);
    },
  };
}

/**
 * startGateway serves the gateway with Bun.serve and registers its graceful stop: refuse new
 * connections, let every accepted request finish, then close the service clients.
 */
export async function startGateway(options: {
  config: GatewayConfig;
  log: Logger;
  readiness: Readiness;
  shutdown: GracefulShutdown;
  /** Revocation log and rate-limit windows (Redis in a cluster). */
  cache: Cache;
  host?: string;
  /** The local object store to serve at /media/, when objects do not live in S3. */
  media?: MediaRouteOptions;
}): Promise<RunningGateway> {
  const { config, log, readiness, shutdown, cache } = options;
  let sockets: ReturnType<typeof chatWebSockets> | undefined;
  const gateway = await createAppFromConfig(config, {
    log,
    readiness,
    cache,
    media: options.media,
    demo: await demoAssets(config),
    chatSocket: {
      upgrade: (request, context) => sockets?.upgrader.upgrade(request, context) ?? false,
    },
  });
  sockets = chatWebSockets({
    clients: gateway.clients,
    messageLimit: gateway.chatMessageLimit,
    log,
    maxStreams: config.WS_MAX_STREAMS_PER_SOCKET,
    maxFrameBytes: config.MAX_BODY_BYTES,
    idleTimeoutSeconds: config.WS_IDLE_TIMEOUT_SECONDS,
    maxPayloadBytes: config.WS_MAX_FRAME_BYTES,
    quiet: { cache },
  });
  const chatSockets = sockets;
  shutdown.add({ name: "gateway-clients", phase: "close", run: () => gateway.close() });
  const handle = gateway.fetch;
  let inFlight = 0;
  let accepted = 0;
  let completed = 0;
  let drained: (() => void) | undefined;
  const counted =
    (answer: FixedAnswer) =>
    (request: Request): Response => {
      accepted++;
      completed++;
      return answer(request);
    };
  const settle = () => {
    inFlight--;
    completed++;
    if (inFlight === 0) drained?.();
  };
  const server = Bun.serve<SocketData>({
    hostname: options.host ?? config.BIND_HOST,
    port: config.PORT,
    // Bun's own cap is the larger upload limit; API routes enforce MAX_BODY_BYTES themselves.
    maxRequestBodySize: Math.max(config.MAX_BODY_BYTES, config.MAX_UPLOAD_BYTES),
    // Bun closes a connection silent for 10 s by default; an event stream sends a keepalive
    // only every 15 s, so the limit must be above that.
    idleTimeout: 40,
    websocket: chatSockets.websocket,
    // Fixed routes (/healthz) are matched by Bun before any JavaScript runs, then answered
    // synchronously: nothing to count in flight. Bun hands a HEAD to the GET answer.
    routes: Object.fromEntries(
      [...gateway.fixed].map(([path, answer]) => [path, { GET: counted(answer) }]),
    ),
    fetch(request, server) {
      inFlight++;
      accepted++;
      // Not async: a response the app made synchronously goes out without a promise. Nothing
      // here is allocated per request on that path (closures cost a served request measurably).
      let answer: Response | Promise<Response>;
      try {
        answer = handle(request, server);
      } catch (err) {
        settle();
        throw err;
      }
      if (!(answer instanceof Promise)) {
        settle();
        return chatSockets.wasUpgraded(request) ? undefined : answer;
      }
      // Once the socket has taken the connection, fetch must answer nothing.
      return answer
        .then((response) => (chatSockets.wasUpgraded(request) ? undefined : response))
        .finally(settle);
    },
  });
  chatSockets.bind(server);
  shutdown.add({
    name: "gateway-http",
    phase: "stop-accepting",
    run: async () => {
      // stop(false) closes the listener and idle connections; requests already accepted finish.
      const stopped = server.stop(false);
      // Sockets live as long as their clients; they are told to go elsewhere, and resume there.
      const sockets = chatSockets.open();
      chatSockets.closeAll();
      const waiting = inFlight;
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      await stopped;
      // A handler that has returned may still be writing its response; Bun counts it as pending
      // until the bytes are out, and exiting earlier would cut it off.
      while (server.pendingRequests > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      log.info(
        {
          accepted_requests: accepted,
          completed_requests: completed,
          drained_requests: waiting,
          closed_sockets: sockets,
        },
        "gateway drained",
      );
    },
  });
  log.info({ port: server.port }, "gateway listening");
  return {
    port: server.port ?? config.PORT,
    inFlight: () => inFlight,
    openSockets: chatSockets.open,
  };
}

/** demoAssets builds the demo page when DEMO_PAGE asks for it; otherwise / stays a 404. */
export function demoAssets(
  config: Pick<GatewayConfig, "DEMO_PAGE">,
): Promise<DemoAssets | undefined> {
  return config.DEMO_PAGE ? buildDemoPage() : Promise.resolve(undefined);
}
