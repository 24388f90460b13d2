import type pg from "pg";
import { quoteIdent } from "./sql-identifier.ts";

/**
 * processedMessagesSql is the migration that creates `<schema>.processed_messages`, the record of
 * message ids a consumer has applied. Service migrations may copy it; `ensureProcessedMessagesTable`
 * applies it directly (idempotent) for code that runs before a migration runner.
 */
export function processedMessagesSql(schema: string): string {
  const s = quoteIdent(schema);
  return `CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.processed_messages (
  consumer text NOT NULL,
  message_id text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);`;
}

/** ensureProcessedMessagesTable creates the table if it is missing. */
export async function ensureProcessedMessagesTable(
  pool: Pick<pg.Pool, "query">,
  schema: string,
): Promise<void> {
  await pool.query(processedMessagesSql(schema));
}
