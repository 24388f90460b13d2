// The quiet follower (gateway/chat-events.ts): a job that goes quiet holds no RPC stream, and none
// of a finished read stays in memory while it waits for news.
import { describe, expect, it } from "bun:test";
import type { WatchJobResponse } from "../gen/eco2/chat/v1/chat_pb.ts";
import { createMemoryCache } from "../lib/cache/create-memory-cache.ts";
import { MemoryCacheStore } from "../lib/cache/memory-cache-store.ts";
import { createLogger } from "../lib/log/create-logger.ts";
import { watchChatJob } from "./chat-events.ts";
import type { ServiceClients } from "./clients.ts";

const log = createLogger({ service: "chat-events-test", level: "silent" });

interface FakeRead {
  readonly request: { lastEventId: string; catchUp: boolean };
  /** Stands for what a real call holds (a grpc-js call and its listeners). */
  readonly held: WeakRef<object>;
}

/**
 * A chat client whose WatchJob sends the events recorded after the requested id, then, when
 * live, stays open until its signal aborts (as the real stream does for a quiet job).
 */
function fakeChat(recorded: WatchJobResponse[]) {
  const reads: FakeRead[] = [];
  const watchJob = (
    request: { lastEventId: string; catchUp: boolean },
    options: { signal: AbortSignal },
  ) => {
    const payload = { bytes: new Uint8Array(64 * 1024) };
    reads.push({ request, held: new WeakRef(payload) });
    return (async function* () {
      const after = recorded.findIndex((event) => event.eventId === request.lastEventId);
      for (const event of recorded.slice(after + 1)) yield event;
      if (request.catchUp) return;
      await new Promise((_, reject) => {
        const fail = () => reject(Object.assign(new Error("aborted"), { payload }));
        if (options.signal.aborted) fail();
        options.signal.addEventListener("abort", fail, { once: true });
      });
    })();
  };
  return { clients: { chat: { watchJob } } as unknown as Pick<ServiceClients, "chat">, reads };
}

const event = (id: string, name: string): WatchJobResponse =>
  ({ eventId: id, event: name, dataJson: "{}" }) as WatchJobResponse;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("following a quiet chat job", () => {
  it("lets a finished read go while it waits, and reads again on news", async () => {
    const cache = createMemoryCache({ log, store: new MemoryCacheStore() });
    const recorded = [event("1-0", "queued")];
    const { clients, reads } = fakeChat(recorded);
    const abort = new AbortController();
    const events = watchChatJob(clients, { jobId: "job-1" }, abort.signal, {
      cache,
      idleMs: 30,
      pollMs: 60_000,
    })[Symbol.asyncIterator]();

    expect((await events.next()).value).toMatchObject({ event: "queued", id: "1-0" });
    const next = events.next();
    await sleep(150); // the idle cut has come: the follower now waits on the job's channel
    expect(reads).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      Bun.gc(true);
      await sleep(10);
    }
    expect(reads[0]!.held.deref()).toBeUndefined();

    recorded.push(event("2-0", "vision"));
    await cache.publish("chat:events:job-1", "2-0");
    expect((await next).value).toMatchObject({ event: "vision", id: "2-0" });
    expect(reads).toHaveLength(2);
    // The second read resumes after the last event passed on.
    expect(reads[1]!.request).toMatchObject({ lastEventId: "1-0", catchUp: false });

    recorded.push(event("3-0", "done"));
    await cache.publish("chat:events:job-1", "3-0");
    expect((await events.next()).value).toMatchObject({ event: "done" });
    expect((await events.next()).done).toBe(true);
    abort.abort();
    await cache.close();
  });
});
