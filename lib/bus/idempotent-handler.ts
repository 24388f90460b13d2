import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type pg from "pg";
import { quoteIdent } from "./sql-identifier.ts";
import type { Handler, HandlerOutcome, MessageMeta } from "./types.ts";

export interface IdempotentHandlerOptions {
  pool: pg.Pool;
  /** The consumer's own schema, holding `processed_messages` (see `processedMessagesSql`). */
  schema: string;
  /** Consumer name recorded with each id (one schema may serve several consumers). */
  consumer: string;
}

/** The work of an idempotent handler: it runs inside the transaction `tx`, which is still open. */
export type TransactionalWork<S extends DescMessage> = (
  event: MessageShape<S>,
  tx: pg.PoolClient,
  meta: MessageMeta,
) => Promise<HandlerOutcome | undefined> | HandlerOutcome | undefined;

/**
 * createIdempotentHandler makes a handler that applies each message id at most once. In one
 * transaction it records the id in `<schema>.processed_messages` (ON CONFLICT DO NOTHING) and, if
 * the id is new, runs `work`; it commits before returning, so the bus acks only committed work.
 * - id already recorded: nothing runs, the outcome is `duplicate` (acked);
 * - `work` returns `retry` or `dead_letter`, or throws: the transaction rolls back (id not kept),
 *   so a later attempt runs the work again;
 * - the commit fails: it throws, and the message is retried.
 * Concurrent deliveries of one id serialise on the primary key: the second waits for the first
 * transaction and then sees the conflict.
 */
export function createIdempotentHandler<S extends DescMessage>(
  options: IdempotentHandlerOptions,
  work: TransactionalWork<S>,
): Handler<S> {
  const table = `${quoteIdent(options.schema)}.processed_messages`;
  const insert = `INSERT INTO ${table} (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`;
  return async (event, meta) => {
    if (!meta.messageId) throw new Error("message has no message_id; cannot deduplicate");
    const tx = await options.pool.connect();
    let broken = false;
    try {
      await tx.query("BEGIN");
      const recorded = await tx.query(insert, [options.consumer, meta.messageId]);
      if (recorded.rowCount === 0) {
        await tx.query("ROLLBACK");
        return "duplicate";
      }
      const outcome = (await work(event, tx, meta)) ?? "ack";
      if (outcome === "ack" || outcome === "duplicate") {
        await tx.query("COMMIT");
        return outcome;
      }
      await tx.query("ROLLBACK");
      return outcome;
    } catch (err) {
      await tx.query("ROLLBACK").catch(() => {
        // The connection itself failed; do not hand it back to the pool.
        broken = true;
      });
      throw err;
    } finally {
      tx.release(broken);
    }
  };
}
