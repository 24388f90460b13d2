import type pg from "pg";
import { UserDeletedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { consumeIdempotently } from "../../lib/bus/consume-idempotently.ts";
import type { Bus } from "../../lib/bus/types.ts";
import { forgetUser } from "./store.ts";

/** consumeUserDeleted removes a deleted user's chats, with their messages and jobs. */
export function consumeUserDeleted(bus: Bus, pool: pg.Pool) {
  return consumeIdempotently(
    bus,
    pool,
    {
      name: "chat.user_deleted",
      schema: "chat",
      bindings: ["my.user_deleted"],
      schemas: [UserDeletedSchema],
    },
    async (event, tx) => {
      await forgetUser(tx, event.userId);
    },
  );
}
