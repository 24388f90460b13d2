import { componentSpec } from "../../catalog/components.ts";
import { CharacterService } from "../../gen/eco2/character/v1/character_pb.ts";
import { ChatService } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { LocationService } from "../../gen/eco2/location/v1/location_pb.ts";
import { ScanService } from "../../gen/eco2/scan/v1/scan_pb.ts";
import { ImageService } from "../../gen/eco2/storage/v1/storage_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { startConsumer } from "../../lib/process/start-consumer.ts";
import { consumeChatMessages } from "./chat/consumer.ts";
import { createChatAgent } from "./chat/create-agent.ts";
import { consumeScanRequests } from "./scan/consumer.ts";
import { createVision } from "./vision/index.ts";

/**
 * The ai worker runs the scan pipeline (vision → rule → answer → reward) and chat answers from the
 * bus. It hosts no API of its own; its gRPC port serves health only.
 */
export const aiComponent = defineComponent(componentSpec("ai"), (context) => {
  const { platform, settings, log, shutdown, readiness } = context;
  const vision = createVision(settings, log);
  // The model loads in the background; the worker is ready once it can classify.
  const warm = vision.warmUp();
  warm.catch((err) => log.error({ err }, "vision model failed to load"));
  readiness.addCheck("vision", () => warm);
  shutdown.add({ name: "vision", phase: "close", run: () => vision.close() });
  const deps = {
    scan: context.client("scan", ScanService),
    info: context.client("info", InfoService),
    character: context.client("character", CharacterService),
    images: context.client("storage", ImageService),
    vision,
    log,
    retry: { attempts: settings.SCAN_STAGE_ATTEMPTS, baseDelayMs: 200 },
  };
  startConsumer(context, "ai.scan", () =>
    consumeScanRequests(platform.bus, deps, settings.SCAN_CONCURRENCY),
  );
  const chat = createChatAgent(
    settings,
    {
      chat: context.client("chat", ChatService),
      info: deps.info,
      character: deps.character,
      location: context.client("location", LocationService),
      images: deps.images,
    },
    { bus: platform.bus, vision, log },
  );
  startConsumer(context, "ai.chat", () =>
    consumeChatMessages(platform.bus, chat, settings.CHAT_CONCURRENCY),
  );
  return { services: [] };
});
