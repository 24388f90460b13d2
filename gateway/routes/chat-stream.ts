import { Elysia, t } from "elysia";
import { currentContext, type RequestContext } from "../../lib/context/request-context.ts";
import { ApiError } from "../api-error.ts";
import { followChatJob, type QuietJobs } from "../chat-events.ts";
import type { ServiceClients } from "../clients.ts";
import { type SseOptions, sseResponse } from "../sse.ts";

/**
 * ChatSocketUpgrade turns an authenticated request into the chat WebSocket. Only a runtime with
 * WebSockets provides it (Bun: gateway/server.ts); it answers false when the upgrade failed.
 */
export interface ChatSocketUpgrade {
  upgrade(request: Request, identity: RequestContext): boolean;
}

// The WebSocket protocol, as the OpenAPI document shows it.
const SOCKET_PROTOCOL = `Upgrades to a WebSocket that carries the chat's events (CONTRACT §A.7). Authenticated like every route (cookie or Bearer); with a cookie, the Origin must be one of ours (else 400 CSRF_ORIGIN_REJECTED).

Client frames (JSON text; \`ref\` is optional and echoed back):
- \`{"type":"message","ref?","chat_id","message","image_url?","user_location?","model?"}\` sends a message (as C6, same limits and rate limit) and follows its job;
- \`{"type":"watch","ref?","job_id","last_event_id?","last_token_seq?"}\` follows one of your chat (or scan) jobs, resuming after last_event_id like SSE's Last-Event-ID;
- \`{"type":"unwatch","job_id"}\` stops following a job; \`{"type":"ping"}\` is answered \`{"event":"pong"}\`.

Server frames: \`{"event":"<name>","id?":"<stream id>","data":{...}}\`, exactly the SSE events of GET /api/v1/chat/{job_id}/events (stage events, token, token_recovery, done, error; data carries job_id), plus:
- \`{"event":"submitted","data":{"ref","job_id","chat_id","status":"submitted","stream_url"}}\` before a message's events;
- \`{"event":"error","data":{"type":"error","code","message","status","ref?","chat_id?","job_id?","retry_after?"}}\` for a refused frame (INVALID_JSON, INVALID_FRAME, UNKNOWN_FRAME_TYPE, VALIDATION_ERROR, PAYLOAD_TOO_LARGE, BINARY_FRAME_UNSUPPORTED, MESSAGE_REQUIRED, RATE_LIMITED, TOO_MANY_STREAMS, or a service's code such as CHAT_NOT_FOUND); the socket stays open. A stream that breaks sends \`error\` with \`"error":"temporary"\` and its job_id: resume with \`watch\` and the last id seen.

The server pings; a socket that answers nothing for WS_IDLE_TIMEOUT_SECONDS is closed. A text frame that is not valid UTF-8 closes the socket with 1007 (RFC 6455 requires it; the runtime does it before the gateway sees the frame); a frame over WS_MAX_FRAME_BYTES closes it with 1009. A gateway that stops closes its sockets with 1001: reconnect (to any instance) and \`watch\` each job with the last id seen.`;

/**
 * chatStreamRoutes serve a chat job's events: as SSE on GET /api/v1/chat/{job_id}/events (§2.3)
 * and over the WebSocket on GET /api/v1/chat/ws (§A.7), both from ChatService.WatchJob.
 */
export function chatStreamRoutes(
  clients: ServiceClients,
  options: { sse?: SseOptions; socket?: ChatSocketUpgrade; quiet?: QuietJobs } = {},
) {
  return new Elysia({
    name: "eco2/routes/chat-stream",
    prefix: "/api/v1/chat",
    detail: { tags: ["chat"] },
  })
    .get(
      "/ws",
      ({ request, set }) => {
        if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
          throw new ApiError(426, "UPGRADE_REQUIRED", "this route speaks WebSocket only");
        }
        if (!options.socket) {
          throw new ApiError(501, "NOT_IMPLEMENTED", "WebSockets are not served by this runtime");
        }
        const identity = currentContext();
        if (!identity || !options.socket.upgrade(request, identity)) {
          throw new ApiError(400, "WEBSOCKET_UPGRADE_FAILED", "the WebSocket upgrade failed");
        }
        // The runtime has taken the connection over; this response is never sent.
        set.status = 200;
        return "";
      },
      {
        detail: {
          summary: "The chat WebSocket: send messages and follow many jobs on one socket (§A.7)",
          description: SOCKET_PROTOCOL,
          responses: {
            101: { description: "Switching Protocols" },
            426: { description: "Not a WebSocket upgrade" },
          },
        },
      },
    )
    .get(
      // The segment is the job id; Elysia insists on the name the chat routes gave it.
      "/:chat_id/events",
      async ({ params: { chat_id: jobId }, headers, query }) => {
        if (jobId.length < 10) throw new ApiError(400, "INVALID_JOB_ID", "job_id is too short");
        const abort = new AbortController();
        // GetJob first: someone else's (or no) job is a 404 before any stream starts.
        const events = await followChatJob(
          clients,
          { jobId, lastEventId: headers["last-event-id"], lastTokenSeq: query.last_token_seq },
          abort.signal,
          options.quiet,
        );
        return sseResponse(events, abort, options.sse);
      },
      {
        params: t.Object({ chat_id: t.String({ maxLength: 100 }) }),
        query: t.Object({
          last_token_seq: t.Optional(t.Integer({ minimum: 0, maximum: 2_147_483_647 })),
        }),
        headers: t.Object({ "last-event-id": t.Optional(t.String({ maxLength: 64 })) }),
        detail: {
          summary:
            "A chat job's stages and answer tokens as server-sent events, until done or an error (§2.3)",
          description:
            "The path segment is the job_id of C6. Without Last-Event-ID: the stages so far, a token_recovery snapshot, then live events; with it (or the legacy last_token_seq): everything after it, once. Keepalive every 15 s idle; closed after 300 s.",
          responses: {
            200: { description: "text/event-stream" },
            400: { description: "INVALID_JOB_ID: the job id is shorter than 10 characters" },
            404: { description: "JOB_NOT_FOUND: no such job of yours" },
          },
        },
      },
    );
}
