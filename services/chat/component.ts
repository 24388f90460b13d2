import { componentSpec } from "../../catalog/components.ts";
import { ChatService } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { ImageService } from "../../gen/eco2/storage/v1/storage_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { openSchema } from "../../lib/process/open-schema.ts";
import { startConsumer } from "../../lib/process/start-consumer.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { consumeAnswered } from "./answered.ts";
import { chatHandlers } from "./handlers.ts";
import { startSweeper } from "./sweeper.ts";
import { consumeUserDeleted } from "./user-deleted.ts";

/** How often the sweeper looks for idle jobs. */
const SWEEP_INTERVAL_MS = 5000;

/**
 * The chat service owns conversations with the mascot 이코, their messages, and the answer jobs
 * with their event streams; the ai worker runs the agent.
 */
export const chatComponent = defineComponent(componentSpec("chat"), async (context) => {
  const { platform, settings, log, shutdown } = context;
  const pool = await openSchema(context, {
    schema: "chat",
    migrations: new URL("./migrations", import.meta.url),
    outbox: true,
    inbox: true,
  });
  startConsumer(context, "chat.answered", () => consumeAnswered(platform.bus, pool, log));
  startConsumer(context, "chat.user_deleted", () => consumeUserDeleted(platform.bus, pool));
  const events = {
    pool,
    cache: platform.cache,
    eventsTtlMs: settings.CHAT_EVENTS_TTL_SECONDS * 1000,
  };
  const sweeper = startSweeper({
    ...events,
    log,
    idleSeconds: settings.CHAT_JOB_IDLE_SECONDS,
    intervalMs: SWEEP_INTERVAL_MS,
  });
  shutdown.whenStopping(() => sweeper.stop());
  const handlers = chatHandlers({
    ...events,
    log,
    images: context.client("storage", ImageService),
  });
  return { services: [defineService(ChatService, handlers)] };
});
