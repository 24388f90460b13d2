import type pg from "pg";
import type { Cache } from "../../lib/cache/cache.ts";
import { subscribeWakeup } from "../../lib/cache/wakeup.ts";
import { withTransaction } from "../../lib/db/with-transaction.ts";
import { endsJob, type Stage, type StageStatus, seqOf } from "./stages.ts";
import * as store from "./store.ts";

/** A job's stage events are announced here; the database holds them. */
const channel = (jobId: string) => `scan:events:${jobId}`;

/** A watcher re-reads the database at least this often, in case an announcement was lost. */
const POLL_MS = 2000;

export interface RecordedStage {
  readonly stage: Stage;
  readonly status: StageStatus;
  /** null when the stage carries none. */
  readonly progress: number | null;
  readonly result: unknown;
  readonly error?: { code: string; message: string };
}

/**
 * recordStage stores one stage event and moves the job on, in one transaction, then announces it.
 * The event's seq is its identity: a stage the worker repeats after a restart is not recorded
 * twice, so a watcher never sees a stage twice. Returns false for such a repeat.
 */
export async function recordStage(
  pool: pg.Pool,
  cache: Cache,
  jobId: string,
  recorded: RecordedStage,
): Promise<boolean> {
  const event: store.StageEvent = {
    jobId,
    seq: seqOf(recorded.stage, recorded.status),
    stage: recorded.stage,
    status: recorded.status,
    progress: recorded.progress,
    result:
      recorded.status === "failed"
        ? { error: recorded.error?.message ?? "failed" }
        : recorded.result,
  };
  const inserted = await withTransaction(pool, async (tx) => {
    if (!(await store.insertEvent(tx, event))) return false;
    await store.advanceJob(tx, event, outcomeOf(recorded));
    return true;
  });
  // Watchers also poll, so a failed announcement only delays them.
  if (inserted) await cache.publish(channel(jobId), String(event.seq)).catch(() => 0);
  return inserted;
}

function outcomeOf(recorded: RecordedStage): Parameters<typeof store.advanceJob>[2] {
  if (recorded.status === "failed") {
    return {
      status: "failed",
      error: recorded.error ?? { code: "SCAN_FAILED", message: "failed" },
    };
  }
  if (recorded.stage === "done") return { status: "completed", result: recorded.result };
  return { status: recorded.stage === "queued" ? "queued" : "processing" };
}

/**
 * watchEvents yields a job's events after `afterSeq`, first those recorded, then each new one as
 * it is announced, in seq order and each once, until the job ends or `signal` aborts.
 */
export async function* watchEvents(
  pool: pg.Pool,
  cache: Cache,
  jobId: string,
  afterSeq: number,
  signal: AbortSignal,
): AsyncGenerator<store.EventRow> {
  const wakeup = await subscribeWakeup(cache, channel(jobId));
  let last = afterSeq;
  try {
    while (!signal.aborted) {
      for (const event of await store.eventsAfter(pool, jobId, last)) {
        yield event;
        last = event.seq;
        if (endsJob(event.stage, event.status)) return;
      }
      await wakeup.wait(POLL_MS, signal);
    }
  } finally {
    await wakeup.close();
  }
}
