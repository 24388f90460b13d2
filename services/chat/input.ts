// The user's answer (C7) to a job's needs_input question, handed to the worker waiting for it.
import type { JsonObject } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { Cache } from "../../lib/cache/cache.ts";
import { subscribeWakeup } from "../../lib/cache/wakeup.ts";
import { domainError } from "../../lib/rpc/index.ts";

const inputKey = (jobId: string) => `chat:input:${jobId}`;
const inputChannel = (jobId: string) => `chat:input:${jobId}`;

export const INPUT_TYPES = new Set(["location", "confirmation", "cancel"]);
/** The longest a worker may wait for an answer in one call. */
export const MAX_WAIT_MS = 300_000;

export interface Input {
  readonly type: string;
  readonly data: JsonObject;
}

/** checkInput refuses an unknown type, or a location without a valid point. */
export function checkInput(type: string, data: JsonObject | undefined): Input {
  if (!INPUT_TYPES.has(type)) {
    throw domainError(
      Code.InvalidArgument,
      "INVALID_INPUT_TYPE",
      "type must be location, confirmation or cancel",
    );
  }
  const input = { type, data: data ?? {} };
  if (type === "location") {
    const { latitude, longitude } = input.data;
    const valid =
      typeof latitude === "number" &&
      typeof longitude === "number" &&
      Math.abs(latitude) <= 90 &&
      Math.abs(longitude) <= 180;
    if (!valid) {
      throw domainError(
        Code.InvalidArgument,
        "INVALID_LOCATION",
        "data must hold latitude (-90..90) and longitude (-180..180)",
      );
    }
  }
  return input;
}

/** submitInput keeps the answer for the job and wakes the worker waiting for it. */
export async function submitInput(
  cache: Cache,
  jobId: string,
  input: Input,
  ttlMs: number,
): Promise<void> {
  await cache.set(inputKey(jobId), JSON.stringify(input), { ttlMs });
  await cache.publish(inputChannel(jobId), "1").catch(() => 0);
}

/**
 * awaitInput takes the job's answer: at once when one is kept, else the first to arrive within
 * `waitMs` (woken by pub/sub, re-read every second in case a wake-up was lost). An answer is
 * handed out once. Undefined when none came in time or the call was cancelled.
 */
export async function awaitInput(
  cache: Cache,
  jobId: string,
  waitMs: number,
  signal: AbortSignal,
): Promise<Input | undefined> {
  const until = Date.now() + Math.min(Math.max(waitMs, 0), MAX_WAIT_MS);
  const wakeup = await subscribeWakeup(cache, inputChannel(jobId));
  try {
    for (;;) {
      const kept = await cache.get(inputKey(jobId));
      // Only the caller that deletes it takes it, should two wait at once.
      if (kept !== null && (await cache.del(inputKey(jobId)))) return JSON.parse(kept) as Input;
      const left = until - Date.now();
      if (left <= 0 || signal.aborted) return undefined;
      await wakeup.wait(Math.min(left, 1000), signal);
    }
  } finally {
    await wakeup.close();
  }
}
