import { componentSpec } from "../../catalog/components.ts";
import { ChatService } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { chatHandlers } from "./handlers.ts";

/** The chat service owns conversations with the mascot 이코. */
export const chatComponent = defineComponent(componentSpec("chat"), () => ({
  services: [defineService(ChatService, chatHandlers())],
}));
