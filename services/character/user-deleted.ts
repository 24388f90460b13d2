import type pg from "pg";
import { UserDeletedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { consumeIdempotently } from "../../lib/bus/consume-idempotently.ts";
import type { Bus } from "../../lib/bus/types.ts";
import { forgetUser } from "./store.ts";

/** consumeUserDeleted removes a deleted user's collection. */
export function consumeUserDeleted(bus: Bus, pool: pg.Pool) {
  return consumeIdempotently(
    bus,
    pool,
    {
      name: "character.user_deleted",
      schema: "character",
      bindings: ["my.user_deleted"],
      schemas: [UserDeletedSchema],
    },
    async (event, tx) => {
      await forgetUser(tx, event.userId);
    },
  );
}
