import type { ServiceImpl } from "@connectrpc/connect";
import type { ChatService } from "../../gen/eco2/chat/v1/chat_pb.ts";

/** chatHandlers implements ChatService; methods not built yet answer UNIMPLEMENTED. */
export function chatHandlers(): Partial<ServiceImpl<typeof ChatService>> {
  return {};
}
