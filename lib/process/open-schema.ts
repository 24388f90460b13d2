import { fileURLToPath } from "node:url";
import type pg from "pg";
import { createOutboxRelay } from "../bus/outbox-relay.ts";
import { ensureOutboxTable } from "../bus/outbox-table.ts";
import { ensureProcessedMessagesTable } from "../bus/processed-messages.ts";
import { migrate } from "../db/migrate.ts";
import type { ComponentContext } from "./component.ts";

export interface OpenSchemaOptions {
  /** The schema the component owns. */
  readonly schema: string;
  /** Its migrations folder, e.g. `new URL("./migrations", import.meta.url)`. */
  readonly migrations: URL;
  /** The component publishes events: an outbox table and a relay that runs with the process. */
  readonly outbox?: boolean;
  /** The component consumes events: the table that makes its handlers idempotent. */
  readonly inbox?: boolean;
}

/**
 * openSchema gives a component its database schema ready to use: migrated, with the outbox and its
 * relay and the processed-messages table as asked, and their stop registered with the process.
 */
export async function openSchema(
  context: ComponentContext,
  options: OpenSchemaOptions,
): Promise<pg.Pool> {
  const { platform, log, shutdown } = context;
  const pool = platform.pool(options.schema);
  await migrate(pool, { schema: options.schema, dir: fileURLToPath(options.migrations), log });
  if (options.inbox) await ensureProcessedMessagesTable(pool, options.schema);
  if (options.outbox) {
    await ensureOutboxTable(pool, options.schema);
    const relay = createOutboxRelay({ pool, schema: options.schema, bus: platform.bus, log });
    relay.start();
    // The relay stops before the bus closes, so a row being published finishes or stays pending.
    shutdown.add({
      name: `${options.schema}-outbox`,
      phase: "stop-accepting",
      run: () => relay.stop(),
    });
  }
  return pool;
}
