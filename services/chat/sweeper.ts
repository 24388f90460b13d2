import { create } from "@bufbuild/protobuf";
import { ChatEventSchema } from "../../gen/eco2/chat/v1/chat_pb.ts";
import type { Logger } from "../../lib/log/create-logger.ts";
import { staleJobs } from "./jobs-store.ts";
import { type EventStore, recordEvents } from "./record-events.ts";
import { STAGE_ORDER } from "./stages.ts";

export interface SweeperOptions extends EventStore {
  readonly log: Logger;
  /** A job with no event for this long has lost its worker. */
  readonly idleSeconds: number;
  readonly intervalMs: number;
}

/**
 * sweepOnce fails every job idle for `idleSeconds` by recording `done failed`, so its watchers
 * get their `error` event and no stream hangs. Replicas may sweep at once: the event is recorded
 * once (its seq), and a finished job stays finished. Returns how many jobs it failed.
 */
export async function sweepOnce(options: Omit<SweeperOptions, "intervalMs">): Promise<number> {
  const stale = await staleJobs(options.pool, options.idleSeconds);
  for (const job of stale) {
    const error = `no progress for ${options.idleSeconds} s`;
    const failed = create(ChatEventSchema, {
      stage: "done",
      status: "failed",
      seq: STAGE_ORDER.done! * 10,
      progress: -1,
      message: "답변이 지연되어 중단되었습니다. 다시 시도해 주세요.",
      resultJson: JSON.stringify({ error }),
    });
    await recordEvents(options, job, [failed]);
    options.log.warn({ job_id: job.id }, "chat job had no event; failed it");
  }
  return stale.length;
}

export function startSweeper(options: SweeperOptions): { stop(): void } {
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweepOnce(options)
      .catch((err) => options.log.warn({ err }, "chat sweep failed"))
      .finally(() => {
        sweeping = false;
      });
  }, options.intervalMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
