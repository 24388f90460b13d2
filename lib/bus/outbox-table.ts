import type pg from "pg";
import { quoteIdent } from "./sql-identifier.ts";

/** The NOTIFY channel `enqueueEvent` signals (payload: the schema) so a relay wakes at once. */
export const OUTBOX_CHANNEL = "eco2_outbox";

/**
 * outboxSql is the migration that creates `<schema>.outbox`: events written in the same
 * transaction as the state change that caused them, published later by the relay. `id` orders
 * them; `sent_at` is null until the broker confirmed the publish. The partial index keeps the
 * relay's scan over pending rows small however many sent rows are kept.
 */
export function outboxSql(schema: string): string {
  const s = quoteIdent(schema);
  return `CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.outbox (
  id bigserial PRIMARY KEY,
  message_id text NOT NULL UNIQUE,
  routing_key text NOT NULL,
  type text NOT NULL,
  payload bytea NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_pending_idx ON ${s}.outbox (id) WHERE sent_at IS NULL;`;
}

/** ensureOutboxTable creates the outbox table if it is missing. */
export async function ensureOutboxTable(
  pool: Pick<pg.Pool, "query">,
  schema: string,
): Promise<void> {
  await pool.query(outboxSql(schema));
}
