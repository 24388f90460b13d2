import type pg from "pg";
import type { ChatEvent } from "../../gen/eco2/chat/v1/chat_pb.ts";
import type { Cache } from "../../lib/cache/cache.ts";
import { appendEvents, toEntries } from "./job-events.ts";
import { advanceJob, isFinished, type JobRow, type JobStatus } from "./jobs-store.ts";
import { endsJob } from "./stages.ts";

export interface EventStore {
  readonly pool: pg.Pool;
  readonly cache: Cache;
  /** How long a job's events stay replayable after its last one. */
  readonly eventsTtlMs: number;
}

/**
 * recordEvents appends a running job's events to its stream (each seq once, so a worker's rerun
 * shows nothing twice), then moves the job: `done` completed completes it, `done` failed or any
 * failed stage fails it, anything else keeps it processing and counts as a sign of life for the
 * sweeper. The stream is written before the row, so a watcher that sees the job finished finds
 * its last event already recorded. A finished job records nothing more. Returns how many events
 * were new.
 */
export async function recordEvents(
  store: EventStore,
  job: Pick<JobRow, "id" | "status" | "updated_at">,
  events: readonly ChatEvent[],
): Promise<number> {
  const entries = toEntries(job.id, events);
  if (isFinished(job.status)) return 0;
  const ids = await appendEvents(store.cache, job.id, entries, store.eventsTtlMs);
  const next = statusAfter(events[entries.length - 1]!);
  if (needsWrite(job, next)) await advanceJob(store.pool, job.id, next);
  return ids.length;
}

/**
 * A running job's row is its sign of life for the sweeper, which waits minutes: refreshing it on
 * every token batch would be a database write per call, so a job that stays processing is
 * written again only once its last write is this old.
 */
const LIFE_SIGN_REFRESH_MS = 5000;

function needsWrite(job: Pick<JobRow, "status" | "updated_at">, next: JobStatus): boolean {
  return next !== job.status || Date.now() - job.updated_at.getTime() >= LIFE_SIGN_REFRESH_MS;
}

function statusAfter(event: ChatEvent): JobStatus {
  if (!endsJob(event.stage, event.status)) return "processing";
  return event.stage === "done" && event.status === "completed" ? "completed" : "failed";
}
