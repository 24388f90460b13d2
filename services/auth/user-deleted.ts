import type pg from "pg";
import { UserDeletedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import { consumeIdempotently } from "../../lib/bus/consume-idempotently.ts";
import type { Bus } from "../../lib/bus/types.ts";
import { forgetUser } from "./login-audits.ts";
import type { SessionTokens } from "./session-tokens.ts";

/**
 * consumeUserDeleted forgets a deleted user: their login audits go, and every token issued to
 * them so far is revoked, so a session still open elsewhere stops working.
 */
export function consumeUserDeleted(bus: Bus, pool: pg.Pool, tokens: SessionTokens) {
  return consumeIdempotently(
    bus,
    pool,
    {
      name: "auth.user_deleted",
      schema: "auth",
      bindings: ["my.user_deleted"],
      schemas: [UserDeletedSchema],
    },
    async (event, tx) => {
      await forgetUser(tx, event.userId);
      // Revoking twice (a redelivery after a rollback) changes nothing.
      await tokens.revokeSubject(event.userId);
    },
  );
}
