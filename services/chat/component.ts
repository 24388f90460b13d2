import { ChatService } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { DEFAULT_GRPC_PORTS } from "../components.ts";
import { chatHandlers } from "./handlers.ts";

/** The chat service owns conversations with the mascot 이코. */
export const chatComponent = defineComponent({
  name: "chat",
  defaultGrpcPort: DEFAULT_GRPC_PORTS.chat,
  create: () => ({ services: [defineService(ChatService, chatHandlers())] }),
});
