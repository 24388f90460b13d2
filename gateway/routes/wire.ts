import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { t } from "elysia";
import { ApiError } from "../api-error.ts";

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

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * strictJson parses a JSON body whose bytes must be valid UTF-8 (400 INVALID_UTF8 otherwise).
 * The default parser decodes leniently, so broken bytes would reach a service as U+FFFD and be
 * stored as if the user had typed them. Other content types fall through to Elysia's parsers.
 */
export async function strictJson({
  request,
  contentType,
}: {
  request: Request;
  contentType: string;
}): Promise<unknown> {
  if (!contentType.startsWith("application/json")) return undefined;
  const bytes = new Uint8Array(await request.arrayBuffer());
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new ApiError(400, "INVALID_UTF8", "request body is not valid UTF-8");
  }
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "INVALID_BODY", "request body could not be parsed");
  }
}
