import type { StreamAppendEntry } from "./cache.ts";

/** A Redis stream id: milliseconds, a dash, a sequence number. */
const STREAM_ID = /^(\d{1,16})-(\d{1,16})$/;

/** parseStreamId splits a stream id into its numbers; undefined when it is not one. */
export function parseStreamId(id: string): { ms: number; seq: number } | undefined {
  const match = STREAM_ID.exec(id);
  if (!match) return undefined;
  return { ms: Number(match[1]), seq: Number(match[2]) };
}

/** isStreamId tells whether a string is a stream id `<ms>-<n>`. */
export function isStreamId(id: string): boolean {
  return parseStreamId(id) !== undefined;
}

/** compareStreamIds orders two valid stream ids as Redis does (numerically, ms then n). */
export function compareStreamIds(a: string, b: string): number {
  const x = parseStreamId(a)!;
  const y = parseStreamId(b)!;
  return x.ms - y.ms || x.seq - y.seq;
}

/** checkStreamArguments refuses what Redis would refuse, the same way in both adapters. */
export function checkStreamArguments(
  entries: readonly StreamAppendEntry[] | undefined,
  after: string | undefined,
): void {
  if (after !== undefined && !isStreamId(after)) {
    throw new TypeError(`not a stream id: ${JSON.stringify(after)}`);
  }
  for (const entry of entries ?? []) {
    if (Object.keys(entry.fields).length === 0) {
      throw new TypeError(`stream entry ${JSON.stringify(entry.unique)} has no fields`);
    }
  }
}
