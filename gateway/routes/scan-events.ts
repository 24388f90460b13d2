import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Elysia, t } from "elysia";
import type { WatchScanResponse } from "../../gen/eco2/scan/v1/scan_pb.ts";
import { currentContext } from "../../lib/context/request-context.ts";
import { ApiError } from "../api-error.ts";
import type { ServiceClients } from "../clients.ts";
import { type SseEvent, type SseOptions, sseResponse } from "../sse.ts";

/** The contract's stage payload (§2.3): empty progress and result travel as "". */
function stagePayload(event: WatchScanResponse) {
  const traceparent = currentContext()?.traceparent ?? "";
  const [, traceId = "", spanId = ""] = traceparent.split("-");
  return {
    job_id: event.jobId,
    stage: event.stage,
    status: event.status,
    seq: event.seq,
    ts: event.ts ? String(timestampMs(event.ts) / 1000) : "",
    progress: event.progress < 0 ? "" : event.progress,
    result: event.resultJson ? JSON.parse(event.resultJson) : "",
    stream_id: event.eventId,
    trace_id: traceId,
    span_id: spanId,
    traceparent,
  };
}

/** scanStageEvents frames WatchScan's stages as SSE events (also the chat WebSocket's `watch`). */
export async function* scanStageEvents(
  stream: AsyncIterable<WatchScanResponse>,
): AsyncGenerator<SseEvent> {
  for await (const event of stream) {
    // A failed stage reaches the browser as `error`, which ends its EventSource.
    yield {
      event: event.status === "failed" ? "error" : event.stage,
      id: event.eventId,
      data: stagePayload(event),
    };
  }
}

/** scanEventRoutes stream a scan's stages as SSE (CONTRACT §2.3) from ScanService.WatchScan. */
export function scanEventRoutes(clients: ServiceClients, options: SseOptions = {}) {
  return new Elysia({
    name: "eco2/routes/scan-events",
    prefix: "/api/v1/scan",
    detail: { tags: ["scan"] },
  }).get(
    "/:job_id/events",
    async ({ params: { job_id }, headers }) => {
      if (job_id.length < 10) throw new ApiError(400, "INVALID_JOB_ID", "job_id is too short");
      // Someone else's (or no) job is a 404 before any stream starts.
      await clients.scan.getScanResult({ jobId: job_id });
      const abort = new AbortController();
      const stream = clients.scan.watchScan(
        { jobId: job_id, lastEventId: headers["last-event-id"] ?? "" },
        { signal: abort.signal },
      );
      return sseResponse(scanStageEvents(stream), abort, options);
    },
    {
      params: t.Object({ job_id: t.String() }),
      headers: t.Object({ "last-event-id": t.Optional(t.String({ maxLength: 64 })) }),
      detail: {
        summary: "The scan's stages as server-sent events, until done or an error (§2.3)",
        responses: { 200: { description: "text/event-stream" } },
      },
    },
  );
}
