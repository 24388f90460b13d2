import type pg from "pg";
import { UserDeletedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { createIdempotentHandler } from "../../lib/bus/idempotent-handler.ts";
import type { Bus } from "../../lib/bus/types.ts";
import { forgetUser } from "./store.ts";

/** consumeUserDeleted removes a deleted user's scans. */
export function consumeUserDeleted(bus: Bus, pool: pg.Pool) {
  return bus.consume({
    name: "scan.user_deleted",
    bindings: ["my.user_deleted"],
    schemas: [UserDeletedSchema],
    handler: createIdempotentHandler(
      { pool, schema: "scan", consumer: "scan.user_deleted" },
      async (event, tx) => {
        await forgetUser(tx, event.userId);
      },
    ),
  });
}
