// Opaque keyset cursors of C1 and C3. A cursor names the last row a page showed by its full sort
// key, so rows that share a timestamp are neither skipped nor shown twice.
import { Code } from "@connectrpc/connect";
import { domainError } from "../../lib/rpc/index.ts";

/** A message's place in a chat's history: created_at (µs since epoch), user before assistant, id. */
export interface MessageKey {
  readonly createdUs: string;
  readonly assistant: boolean;
  readonly id: string;
}

/** A chat's place in C1's order: last_message_at (µs since epoch; null sorts last), id. */
export interface ChatKey {
  readonly lastUs: string | null;
  readonly id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MICROS = /^-?\d{1,19}$/;

const invalid = () =>
  domainError(Code.InvalidArgument, "INVALID_CURSOR", "cursor is not one this API returned");

const encode = (parts: string[]) => Buffer.from(parts.join("|")).toString("base64url");

function decode(cursor: string, size: number): string[] {
  const parts = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (parts.length !== size) throw invalid();
  return parts;
}

/** isoMicros reads a plain ISO timestamp (the contract's documented cursor) as µs since epoch. */
function isoMicros(cursor: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(cursor)) return undefined;
  const ms = Date.parse(cursor);
  return Number.isNaN(ms) ? undefined : String(ms * 1000);
}

export function encodeMessageKey(key: MessageKey): string {
  return encode(["m", key.createdUs, key.assistant ? "1" : "0", key.id]);
}

/**
 * decodeMessageKey reads a C3 cursor. A plain ISO timestamp also works (the contract's form): it
 * means every message strictly older than that instant.
 */
export function decodeMessageKey(cursor: string): MessageKey {
  const iso = isoMicros(cursor);
  // The smallest key at that instant: a page "before" it holds only older messages.
  if (iso) return { createdUs: iso, assistant: false, id: "00000000-0000-0000-0000-000000000000" };
  const [tag, createdUs, assistant, id] = decode(cursor, 4);
  if (tag !== "m" || !MICROS.test(createdUs!) || !["0", "1"].includes(assistant!)) throw invalid();
  if (!UUID.test(id!)) throw invalid();
  return { createdUs: createdUs!, assistant: assistant === "1", id: id! };
}

export function encodeChatKey(key: ChatKey): string {
  return encode(["c", key.lastUs ?? "", key.id]);
}

/** decodeChatKey reads a C1 cursor; a plain ISO timestamp means chats active strictly before it. */
export function decodeChatKey(cursor: string): ChatKey {
  const iso = isoMicros(cursor);
  if (iso) return { lastUs: iso, id: "00000000-0000-0000-0000-000000000000" };
  const [tag, lastUs, id] = decode(cursor, 3);
  if (tag !== "c" || !(lastUs === "" || MICROS.test(lastUs!)) || !UUID.test(id!)) throw invalid();
  return { lastUs: lastUs || null, id: id! };
}
