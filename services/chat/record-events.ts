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
  job: Pick<JobRow, "id" | "status">,
  events: readonly ChatEvent[],
): Promise<number> {
  const entries = toEntries(job.id, events);
  if (isFinished(job.status)) return 0;
  const ids = await appendEvents(store.cache, job.id, entries, store.eventsTtlMs);
  const last = events[entries.length - 1]!;
  await advanceJob(store.pool, job.id, statusAfter(last));
  return ids.length;
}

function statusAfter(event: ChatEvent): JobStatus {
  if (!endsJob(event.stage, event.status)) return "processing";
  return event.stage === "done" && event.status === "completed" ? "completed" : "failed";
}
