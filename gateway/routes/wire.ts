import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { t } from "elysia";

/**
 * isoTime renders a required protobuf timestamp as the contract's ISO-8601 string. A missing one
 * is a service bug, so it fails loudly (500, logged) instead of inventing a date.
 */
export function isoTime(ts: Timestamp | undefined): string {
  if (!ts) throw new Error("service response lacks a required timestamp");
  return timestampDate(ts).toISOString();
}

/** isoTimeOrNull renders an optional protobuf timestamp; unset becomes the contract's null. */
export function isoTimeOrNull(ts: Timestamp | undefined): string | null {
  return ts ? timestampDate(ts).toISOString() : null;
}

/** orNull turns proto3's unset optional (undefined) or empty string into the contract's null. */
export function orNull<T>(value: T | undefined): Exclude<T, ""> | null {
  return value === undefined || value === "" ? null : (value as Exclude<T, "">);
}

/** A JSON object whose keys the contract does not fix (rule documents, metadata). */
export const jsonObject = t.Record(t.String(), t.Unknown());

/** The contract's error body, documented on routes whose refusals the client handles. */
export const errorBody = t.Object({ detail: t.String(), code: t.String() });
