// Process entry of the chat service: `bun services/chat/main.ts` or `deno run -A services/chat/main.ts`.
import { runComponent } from "../../lib/process/index.ts";
import { chatComponent } from "./component.ts";

await runComponent(chatComponent);
