import type { CharacterService } from "../../../gen/eco2/character/v1/character_pb.ts";
import type { ChatService } from "../../../gen/eco2/chat/v1/chat_pb.ts";
import type { InfoService } from "../../../gen/eco2/info/v1/info_pb.ts";
import type { LocationService } from "../../../gen/eco2/location/v1/location_pb.ts";
import type { ImageService } from "../../../gen/eco2/storage/v1/storage_pb.ts";
import type { Bus } from "../../../lib/bus/types.ts";
import type { Logger } from "../../../lib/log/create-logger.ts";
import type { RpcClient } from "../../../lib/rpc/index.ts";
import { OPENAI_DEFAULT_BASE_URL } from "../vision/create-vision.ts";
import type { VisionPort } from "../vision/index.ts";
import { embeddedComposer, llmComposer } from "./compose/composer.ts";
import {
  answeredPort,
  charactersPort,
  chatEventsPort,
  chatHistoryPort,
  guidesPort,
  imagesPort,
  placesPort,
} from "./grpc-ports.ts";
import { createOpenAiChat } from "./provider/openai-chat.ts";
import type { ChatAgentDeps } from "./run-chat.ts";

export interface ChatAgentSettings {
  readonly OPENAI_BASE_URL?: string;
  readonly OPENAI_API_KEY?: string;
  readonly OPENAI_MODEL: string;
  readonly CHAT_INPUT_WAIT_MS: number;
  readonly CHAT_PROVIDER_TIMEOUT_MS: number;
}

export interface ChatAgentClients {
  readonly chat: RpcClient<typeof ChatService>;
  readonly info: RpcClient<typeof InfoService>;
  readonly character: RpcClient<typeof CharacterService>;
  readonly location: RpcClient<typeof LocationService>;
  readonly images: RpcClient<typeof ImageService>;
}

/**
 * createChatAgent wires the agent to the real services and picks the provider as vision does: an
 * API key turns the OpenAI-compatible provider on (intents and streamed answers), else everything
 * is embedded.
 */
export function createChatAgent(
  settings: ChatAgentSettings,
  clients: ChatAgentClients,
  extras: { bus: Bus; vision: VisionPort; log: Logger },
): ChatAgentDeps {
  const { log } = extras;
  const llm = settings.OPENAI_API_KEY
    ? createOpenAiChat({
        baseUrl: settings.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL,
        apiKey: settings.OPENAI_API_KEY,
        model: settings.OPENAI_MODEL,
        timeoutMs: settings.CHAT_PROVIDER_TIMEOUT_MS,
      })
    : undefined;
  log.info(
    llm ? "chat agent: OpenAI-compatible provider" : "chat agent: embedded (OPENAI_API_KEY unset)",
  );
  return {
    events: chatEventsPort(clients.chat),
    history: chatHistoryPort(clients.chat),
    guides: guidesPort(clients.info),
    characters: charactersPort(clients.character),
    places: placesPort(clients.location),
    images: imagesPort(clients.images, extras.vision),
    answered: answeredPort(extras.bus),
    composer: llm
      ? llmComposer(llm, (err) =>
          log.warn({ err }, "provider answer failed; embedded answer follows"),
        )
      : embeddedComposer,
    ...(llm ? { llm } : {}),
    log,
    inputWaitMs: settings.CHAT_INPUT_WAIT_MS,
  };
}
