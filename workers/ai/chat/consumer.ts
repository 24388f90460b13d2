import { ChatMessageRequestedSchema } from "../../../gen/eco2/events/v1/events_pb.ts";
import type { Bus } from "../../../lib/bus/types.ts";
import { type ChatAgentDeps, runChat } from "./run-chat.ts";

/**
 * consumeChatMessages answers each submitted chat message. A job ends acked, completed or failed;
 * only a failure to report it (chat service away) or to publish chat.answered retries the
 * message, and the rerun records nothing twice (RecordEvents dedupes by seq, chat.answered by
 * message id and job).
 */
export function consumeChatMessages(bus: Bus, deps: ChatAgentDeps, prefetch: number) {
  return bus.consume({
    name: "ai.chat",
    bindings: ["chat.message_requested"],
    schemas: [ChatMessageRequestedSchema],
    prefetch,
    handler: async (event) => {
      await runChat(deps, event);
      return "ack" as const;
    },
  });
}
