// A chat job's events as both channels carry them (SSE and the WebSocket): ChatService.WatchJob
// already shapes each payload as the contract's data (§2.3), so the gateway only frames it.

import type { WatchJobResponse } from "../gen/eco2/chat/v1/chat_pb.ts";
import type { ServiceClients } from "./clients.ts";
import type { SseEvent } from "./sse.ts";

export interface FollowJob {
  readonly jobId: string;
  /** A Redis stream id, or `recovery:<seq>` (the token_recovery snapshot's id). */
  readonly lastEventId?: string;
  /** The legacy query `last_token_seq`: resume after this token. */
  readonly lastTokenSeq?: number;
}

/** chatJobEvents turns WatchJob's responses into events: name, id = stream id, parsed data. */
export async function* chatJobEvents(
  stream: AsyncIterable<WatchJobResponse>,
): AsyncGenerator<SseEvent> {
  for await (const event of stream) {
    yield {
      event: event.event,
      id: event.eventId || undefined,
      data: event.dataJson ? JSON.parse(event.dataJson) : {},
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
): Promise<AsyncIterable<SseEvent>> {
  await clients.chat.getJob({ jobId: follow.jobId }, { signal });
  return watchChatJob(clients, follow, signal);
}

/** watchChatJob follows a job already known to be the caller's (one it just submitted). */
export function watchChatJob(
  clients: Pick<ServiceClients, "chat">,
  follow: FollowJob,
  signal: AbortSignal,
): AsyncIterable<SseEvent> {
  const stream = clients.chat.watchJob(
    {
      jobId: follow.jobId,
      lastEventId: follow.lastEventId ?? "",
      lastTokenSeq: follow.lastTokenSeq ?? 0,
    },
    { signal },
  );
  return chatJobEvents(stream);
}
