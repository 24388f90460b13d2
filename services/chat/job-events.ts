import { Code } from "@connectrpc/connect";
import type { ChatEvent } from "../../gen/eco2/chat/v1/chat_pb.ts";
import type { Cache, StreamAppendEntry } from "../../lib/cache/cache.ts";
import { currentContext } from "../../lib/context/request-context.ts";
import { domainError } from "../../lib/rpc/index.ts";
import { endsJob, eventName, FIRST_TOKEN_SEQ, isStage, STAGE_STATUSES, TOKEN } from "./stages.ts";

/** One Redis stream per job holds its stage events and tokens in the order recorded. */
export const eventsKey = (jobId: string) => `chat:events:${jobId}`;
/** Watchers of a job are woken here after each append. */
export const eventsChannel = (jobId: string) => `chat:events:${jobId}`;

/** Most events one RecordEvents call may carry. */
export const MAX_EVENTS_PER_CALL = 1000;

/** What a stream entry holds; `data` is the §2.3 payload without `stream_id` (the entry's id). */
export interface EventFields {
  readonly event: string;
  readonly stage: string;
  readonly status: string;
  readonly seq: string;
  readonly data: string;
}

const invalidEvent = (why: string) => domainError(Code.InvalidArgument, "INVALID_EVENT", why);

function checkEvent(event: ChatEvent): void {
  if (event.stage === TOKEN) {
    if (event.status !== "streaming") throw invalidEvent("a token's status is streaming");
    if (event.seq < FIRST_TOKEN_SEQ) throw invalidEvent(`token seq starts at ${FIRST_TOKEN_SEQ}`);
    return;
  }
  if (!isStage(event.stage)) throw invalidEvent(`unknown stage ${event.stage}`);
  if (!STAGE_STATUSES.has(event.status)) throw invalidEvent(`unknown status ${event.status}`);
  if (event.seq < 0 || event.seq >= FIRST_TOKEN_SEQ) throw invalidEvent("stage seq out of range");
}

function parseResult(event: ChatEvent): unknown {
  if (!event.resultJson) return "";
  try {
    return JSON.parse(event.resultJson);
  } catch {
    throw invalidEvent(`result_json of ${event.stage} is not JSON`);
  }
}

/** A failure's result is always `{"error": "<text>"}` (§2.3), whatever the worker sent. */
function failureResult(event: ChatEvent, result: unknown): { error: string } {
  const given = (result as { error?: unknown } | null)?.error;
  if (typeof given === "string" && given) return { error: given };
  return { error: event.message || "failed" };
}

function traceFields() {
  const traceparent = currentContext()?.traceparent ?? "";
  const [, traceId = "", spanId = ""] = traceparent.split("-");
  return { trace_id: traceId, span_id: spanId, traceparent };
}

/** payloadOf shapes an event as the §2.3 SSE data, less `stream_id`. */
export function payloadOf(jobId: string, event: ChatEvent, ts: string): Record<string, unknown> {
  if (event.stage === TOKEN) {
    return {
      job_id: jobId,
      stage: TOKEN,
      status: "streaming",
      seq: event.seq,
      ts,
      content: event.content,
      node: event.node || "answer",
    };
  }
  const result = parseResult(event);
  return {
    job_id: jobId,
    stage: event.stage,
    status: event.status,
    seq: event.seq,
    ts,
    progress: event.progress >= 0 ? event.progress : "",
    result: event.status === "failed" ? failureResult(event, result) : result,
    message: event.message,
    ...traceFields(),
  };
}

/**
 * The unique of an event in its stream is its seq; a failure is told apart from the start of its
 * stage (the same seq by §2.3's numbering), so a stage that fails after starting is still recorded.
 */
const uniqueOf = (event: ChatEvent) =>
  event.status === "failed" ? `${event.seq}:failed` : String(event.seq);

/**
 * toEntries checks a batch and turns it into stream entries, stopping after the first event that
 * ends the job: nothing follows a job's end.
 */
export function toEntries(jobId: string, events: readonly ChatEvent[]): StreamAppendEntry[] {
  if (events.length === 0 || events.length > MAX_EVENTS_PER_CALL) {
    throw domainError(
      Code.InvalidArgument,
      "INVALID_EVENTS",
      `1 to ${MAX_EVENTS_PER_CALL} events per call`,
    );
  }
  const ts = (Date.now() / 1000).toFixed(3);
  const entries: StreamAppendEntry[] = [];
  for (const event of events) {
    checkEvent(event);
    const fields: EventFields = {
      event: eventName(event.stage, event.status),
      stage: event.stage,
      status: event.status,
      seq: String(event.seq),
      data: JSON.stringify(payloadOf(jobId, event, ts)),
    };
    entries.push({ unique: uniqueOf(event), fields: { ...fields } });
    if (endsJob(event.stage, event.status)) break;
  }
  return entries;
}

/**
 * appendEvents appends a job's entries (each seq once) and wakes its watchers. Returns the ids
 * appended. Watchers also poll, so a lost wake-up only delays them.
 */
export async function appendEvents(
  cache: Cache,
  jobId: string,
  entries: readonly StreamAppendEntry[],
  ttlMs: number,
): Promise<string[]> {
  const ids = await cache.streamAppendUnique(eventsKey(jobId), entries, { ttlMs });
  if (ids.length > 0) await cache.publish(eventsChannel(jobId), ids.at(-1)!).catch(() => 0);
  return ids;
}
