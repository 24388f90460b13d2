// A chat job's events as both channels carry them (SSE and the WebSocket): ChatService.WatchJob
// already shapes each payload as the contract's data (§2.3), so the gateway only frames it.

import type { WatchJobResponse } from "../gen/eco2/chat/v1/chat_pb.ts";
import type { Cache } from "../lib/cache/cache.ts";
import { subscribeWakeup, type Wakeup } from "../lib/cache/wakeup.ts";
import type { ServiceClients } from "./clients.ts";
import { JsonText, type SseEvent } from "./sse.ts";

/**
 * How a follower waits while a job is quiet. An open WatchJob stream costs the gateway ~25 KB per
 * connection (grpc-js call, transport, connect client); a job with nothing new for `idleMs` has its
 * stream closed and waits on the chat service's announcement channel (CONTRACT: RecordEvents
 * announces each batch on `chat:events:{job_id}`), re-reading at least every `pollMs`.
 */
export interface QuietJobs {
  readonly cache: Cache;
  /** Default 2 s. */
  readonly idleMs?: number;
  /** Default 30 s: an announcement lost (a Redis reconnect) is found by then. */
  readonly pollMs?: number;
}

export interface FollowJob {
  readonly jobId: string;
  /** A Redis stream id, or `recovery:<seq>` (the token_recovery snapshot's id). */
  readonly lastEventId?: string;
  /** The legacy query `last_token_seq`: resume after this token. */
  readonly lastTokenSeq?: number;
}

/**
 * chatJobEvents turns WatchJob's responses into events: name, id = stream id, and the data as the
 * chat service wrote it (JSON text, passed through to the client unparsed).
 */
export async function* chatJobEvents(
  stream: AsyncIterable<WatchJobResponse>,
): AsyncGenerator<SseEvent> {
  for await (const event of stream) {
    yield {
      event: event.event,
      id: event.eventId || undefined,
      data: new JsonText(event.dataJson || "{}"),
    };
  }
}

/**
 * followChatJob checks that the job is the caller's (GetJob answers NOT_FOUND for anyone else's,
 * before any stream starts) and then follows it until `done`. Call it inside the caller's
 * request context: the RPCs carry its user id.
 */
export async function followChatJob(
  clients: Pick<ServiceClients, "chat">,
  follow: FollowJob,
  signal: AbortSignal,
  quiet?: QuietJobs,
): Promise<AsyncIterable<SseEvent>> {
  await clients.chat.getJob({ jobId: follow.jobId }, { signal });
  return watchChatJob(clients, follow, signal, quiet);
}

/**
 * watchChatJob follows a job already known to be the caller's (one it just submitted) until its
 * last event. With `quiet`, a quiet job holds no RPC stream (see QuietJobs).
 */
export function watchChatJob(
  clients: Pick<ServiceClients, "chat">,
  follow: FollowJob,
  signal: AbortSignal,
  quiet?: QuietJobs,
): AsyncIterable<SseEvent> {
  if (quiet) return followThroughQuiet(clients, follow, signal, quiet);
  return chatJobEvents(clients.chat.watchJob(watchRequest(follow), { signal }));
}

function watchRequest(follow: FollowJob) {
  return {
    jobId: follow.jobId,
    lastEventId: follow.lastEventId ?? "",
    lastTokenSeq: follow.lastTokenSeq ?? 0,
  };
}

/** The events after which WatchJob sends nothing more. */
const endsJob = (event: SseEvent) => event.event === "done" || event.event === "error";

/**
 * followThroughQuiet follows the job live while events flow; when none has come for `idleMs` it
 * lets the stream go and sleeps on the job's announcement channel. News opens a live stream
 * again; a poll that finds the channel silent only catches up (`catch_up`: what is recorded, no
 * stream left open). Each read resumes after the last id passed on, so the client sees each event
 * once, in order.
 */
async function* followThroughQuiet(
  clients: Pick<ServiceClients, "chat">,
  follow: FollowJob,
  signal: AbortSignal,
  quiet: QuietJobs,
): AsyncGenerator<SseEvent> {
  // Subscribed before the first read: an event recorded while no stream is open still wakes us.
  const wakeup = await subscribeWakeup(quiet.cache, `chat:events:${follow.jobId}`);
  const read: Read = { jobId: follow.jobId, resume: follow, live: true, first: true, ended: false };
  const timing = { idleMs: quiet.idleMs ?? 2000, pollMs: quiet.pollMs ?? 30_000 };
  try {
    // Each turn is a generator of its own that waits for news first and then reads. A generator
    // keeps its last `yield*` delegate, and everything under it down to the finished grpc-js call
    // (~100 closures, most of an idle stream's memory), until the next turn replaces it; so the
    // long wait happens inside a turn that has not opened its stream yet.
    while (!signal.aborted && !read.ended) {
      yield* waitThenRead(clients, read, signal, wakeup, timing);
    }
  } finally {
    await wakeup.close();
  }
}

/** Where a quiet follower is: the position to resume from, and how it reads next. */
interface Read {
  readonly jobId: string;
  resume: FollowJob;
  /** A live stream (news arrived, or the first read) rather than a catch-up (a silent poll). */
  live: boolean;
  /** The first read waits for nothing. */
  first: boolean;
  /** The job has ended: nothing more will come. */
  ended: boolean;
}

/**
 * waitThenRead waits for news on the job's channel (not before the first read), then reads the
 * job from `read.resume`: live until `idleMs` pass without an event, or a catch-up of what is
 * recorded when the wait ended silently. It moves `read.resume` past each event it passes on.
 */
async function* waitThenRead(
  clients: Pick<ServiceClients, "chat">,
  read: Read,
  signal: AbortSignal,
  wakeup: Wakeup,
  timing: { idleMs: number; pollMs: number },
): AsyncGenerator<SseEvent> {
  if (!read.first) read.live = await wakeup.wait(timing.pollMs, signal);
  read.first = false;
  if (signal.aborted) return;
  // The call's own signal, aborted by the client leaving or by the idle cut. Not
  // AbortSignal.any: Bun keeps a signal made by it (and the call listening on it) alive as long
  // as its sources, so every read of a long wait would stay in memory until the client left.
  const idle = new AbortController();
  const leave = () => idle.abort(signal.reason);
  signal.addEventListener("abort", leave, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    if (read.live) timer = setTimeout(() => idle.abort(), timing.idleMs);
  };
  arm();
  const stream = clients.chat.watchJob(
    { ...watchRequest(read.resume), catchUp: !read.live },
    { signal: idle.signal },
  );
  try {
    for await (const event of chatJobEvents(stream)) {
      clearTimeout(timer);
      yield event;
      if (endsJob(event)) {
        read.ended = true;
        return;
      }
      if (event.id) read.resume = { jobId: read.jobId, lastEventId: event.id };
      arm();
    }
    // A live stream ends by itself only when the job has ended.
    if (read.live) read.ended = true;
  } catch (err) {
    // Only the idle cut is ours to swallow; the client leaving or a real failure ends it.
    if (!idle.signal.aborted || signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", leave);
  }
}
