import type { ServiceImpl } from "@connectrpc/connect";
import type pg from "pg";
import type { ChatService } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { conversationHandlers } from "./conversation-handlers.ts";
import { type JobDependencies, jobHandlers } from "./job-handlers.ts";

export type ChatDependencies = JobDependencies & { readonly pool: pg.Pool };

/** chatHandlers implement ChatService on the `chat` schema and the job event streams. */
export function chatHandlers(deps: ChatDependencies): Partial<ServiceImpl<typeof ChatService>> {
  return { ...conversationHandlers(deps.pool), ...jobHandlers(deps) };
}
