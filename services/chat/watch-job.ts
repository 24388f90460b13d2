import { Code } from "@connectrpc/connect";
import type pg from "pg";
import type { Cache, StreamEntry } from "../../lib/cache/cache.ts";
import { isStreamId } from "../../lib/cache/stream-ids.ts";
import { subscribeWakeup } from "../../lib/cache/wakeup.ts";
import { domainError } from "../../lib/rpc/index.ts";
import { eventsChannel, eventsKey } from "./job-events.ts";
import * as jobs from "./jobs-store.ts";
import { endsJob, TOKEN } from "./stages.ts";

/** A watcher re-reads the stream at least this often, in case a wake-up was lost. */
const POLL_MS = 2000;
const PAGE = 500;

/** One event as WatchJob yields it: the SSE id, the SSE event name, the §2.3 payload. */
export interface WatchedEvent {
  readonly eventId: string;
  readonly event: string;
  readonly dataJson: string;
}

/** Where a connection resumes: from the start, after a stream id, or after a token's seq. */
export type Resume =
  | { readonly kind: "fresh" }
  | { readonly kind: "after"; readonly id: string }
  | { readonly kind: "token"; readonly seq: number };

const RECOVERY = /^recovery:(\d{1,9})$/;

/** resumeOf reads WatchJobRequest's resume fields; a last_event_id we never sent is refused. */
export function resumeOf(lastEventId: string, lastTokenSeq: number): Resume {
  if (lastTokenSeq < 0) {
    throw domainError(Code.InvalidArgument, "INVALID_TOKEN_SEQ", "last_token_seq must be ≥ 0");
  }
  if (lastEventId) {
    if (isStreamId(lastEventId)) return { kind: "after", id: lastEventId };
    const recovery = RECOVERY.exec(lastEventId);
    if (recovery) return { kind: "token", seq: Number(recovery[1]) };
    throw domainError(
      Code.InvalidArgument,
      "INVALID_EVENT_ID",
      "last_event_id is neither a stream id nor recovery:<seq>",
    );
  }
  return lastTokenSeq > 0 ? { kind: "token", seq: lastTokenSeq } : { kind: "fresh" };
}

const isToken = (entry: StreamEntry) => entry.fields.stage === TOKEN;
const ends = (entry: StreamEntry) => endsJob(entry.fields.stage!, entry.fields.status!);

function watched(entry: StreamEntry): WatchedEvent {
  const data = { ...JSON.parse(entry.fields.data!), stream_id: entry.id };
  return { eventId: entry.id, event: entry.fields.event!, dataJson: JSON.stringify(data) };
}

/** The token_recovery snapshot of §2.3: every token so far, joined. */
function recoveryOf(jobId: string, entries: readonly StreamEntry[]): WatchedEvent {
  const tokens = entries
    .filter(isToken)
    .map((entry) => JSON.parse(entry.fields.data!) as { seq: number; content: string })
    .sort((a, b) => a.seq - b.seq);
  const lastSeq = tokens.at(-1)!.seq;
  const completed = entries.some(
    (e) => (e.fields.stage === "answer" && e.fields.status === "completed") || ends(e),
  );
  const data = {
    job_id: jobId,
    stage: "token_recovery",
    status: "snapshot",
    accumulated: tokens.map((t) => t.content).join(""),
    last_seq: lastSeq,
    completed,
  };
  return {
    eventId: `recovery:${lastSeq}`,
    event: "token_recovery",
    dataJson: JSON.stringify(data),
  };
}

/**
 * replayOf is what a connection gets first, from the entries recorded so far:
 * - fresh: the stage events up to the last token, one token_recovery snapshot (when a token
 *   exists), then the events after the last token (the terminal one among them);
 * - after a token seq: every entry after the one holding that token (if the stream lacks it:
 *   every stage event and the tokens with a greater seq).
 */
export function replayOf(jobId: string, entries: readonly StreamEntry[], resume: Resume) {
  const out: WatchedEvent[] = [];
  if (resume.kind === "token") {
    const at = entries.findIndex((e) => isToken(e) && Number(e.fields.seq) === resume.seq);
    const rest =
      at >= 0
        ? entries.slice(at + 1)
        : entries.filter((e) => !isToken(e) || Number(e.fields.seq) > resume.seq);
    out.push(...rest.map(watched));
    return out;
  }
  const lastToken = entries.findLastIndex(isToken);
  out.push(
    ...entries
      .slice(0, lastToken + 1)
      .filter((e) => !isToken(e))
      .map(watched),
  );
  if (lastToken >= 0) out.push(recoveryOf(jobId, entries));
  out.push(...entries.slice(lastToken + 1).map(watched));
  return out;
}

/** An ended job whose events expired still gets a last event, so no stream hangs. */
function expiredEnd(job: jobs.JobRow): WatchedEvent {
  const completed = job.status === "completed";
  const data = {
    job_id: job.id,
    stage: "done",
    status: completed ? "completed" : "failed",
    seq: completed ? 181 : 180,
    ts: (Date.now() / 1000).toFixed(3),
    progress: completed ? 100 : "",
    result: completed ? "" : { error: "the job's events are no longer kept" },
    message: "",
    stream_id: "",
  };
  return { eventId: "", event: completed ? "done" : "error", dataJson: JSON.stringify(data) };
}

export interface WatchOptions {
  readonly pool: pg.Pool;
  readonly cache: Cache;
  readonly job: jobs.JobRow;
  readonly resume: Resume;
  readonly signal: AbortSignal;
  /** End once caught up with what is recorded, rather than follow the job. */
  readonly catchUp?: boolean;
}

/**
 * watchJob yields a job's events for one connection: the replay its resume point asks for, then
 * each new entry once, in stream order, woken by pub/sub and polling every 2 s, until the job's
 * last event (done, or a failure) or the signal aborts — or, for a catch-up, once it has sent
 * everything recorded so far.
 */
export async function* watchJob(options: WatchOptions): AsyncGenerator<WatchedEvent> {
  const { cache, job, signal } = options;
  const key = eventsKey(job.id);
  // Subscribed before the first read, so nothing recorded in between goes unannounced; a
  // catch-up read never waits, so it needs no announcements.
  const wakeup = options.catchUp ? undefined : await subscribeWakeup(cache, eventsChannel(job.id));
  try {
    let cursor = options.resume.kind === "after" ? options.resume.id : undefined;
    if (options.resume.kind !== "after") {
      const entries = await readAll(cache, key);
      cursor = entries.at(-1)?.id;
      for (const event of replayOf(job.id, entries, options.resume)) {
        yield event;
        if (endsAt(event)) return;
      }
    }
    while (!signal.aborted) {
      const batch = await cache.streamRange(key, { after: cursor, count: PAGE });
      for (const entry of batch) {
        yield watched(entry);
        cursor = entry.id;
        if (ends(entry)) return;
      }
      if (batch.length === PAGE) continue;
      if (batch.length === 0) {
        const end = await endOf(options, cursor);
        if (end === "more") continue;
        if (end !== "running") {
          if (end) yield end;
          return;
        }
      }
      if (!wakeup) return;
      await wakeup.wait(POLL_MS, signal);
    }
  } finally {
    await wakeup?.close();
  }
}

/**
 * endOf looks at the job when nothing new was read: "running" while it runs; "more" when it has
 * just ended and its last events are to be read (the stream is written before the row); else the
 * connection ends — after a last event made from the row when its events expired, or with none
 * (undefined) when this client already had the last one or the job is gone.
 */
async function endOf(
  options: WatchOptions,
  cursor: string | undefined,
): Promise<"running" | "more" | WatchedEvent | undefined> {
  const { cache, job } = options;
  const current = await jobs.job(options.pool, job.id);
  if (current && !jobs.isFinished(current.status)) return "running";
  const key = eventsKey(job.id);
  if ((await cache.streamRange(key, { after: cursor, count: 1 })).length > 0) return "more";
  if (!current) return undefined;
  const kept = (await cache.streamRange(key, { count: 1 })).length > 0;
  return kept ? undefined : expiredEnd(current);
}

function endsAt(event: WatchedEvent): boolean {
  if (event.event === "token_recovery") return false;
  const data = JSON.parse(event.dataJson) as { stage: string; status: string };
  return endsJob(data.stage, data.status);
}

async function readAll(cache: Cache, key: string): Promise<StreamEntry[]> {
  const all: StreamEntry[] = [];
  for (;;) {
    const batch = await cache.streamRange(key, { after: all.at(-1)?.id, count: PAGE });
    all.push(...batch);
    if (batch.length < PAGE) return all;
  }
}
