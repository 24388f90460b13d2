import type pg from "pg";
import { UserDeletedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { createIdempotentHandler } from "../../lib/bus/idempotent-handler.ts";
import type { Bus } from "../../lib/bus/types.ts";
import { forgetUser } from "./store.ts";

/** consumeUserDeleted removes a deleted user's collection. */
export function consumeUserDeleted(bus: Bus, pool: pg.Pool) {
  return bus.consume({
    name: "character.user_deleted",
    bindings: ["my.user_deleted"],
    schemas: [UserDeletedSchema],
    handler: createIdempotentHandler(
      { pool, schema: "character", consumer: "character.user_deleted" },
      async (event, tx) => {
        await forgetUser(tx, event.userId);
      },
    ),
  });
}
