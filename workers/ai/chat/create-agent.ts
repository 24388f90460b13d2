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
import { createOpenMeteo } from "./provider/open-meteo.ts";
import { createOpenAiChat } from "./provider/openai-chat.ts";
import { createOpenAiWebSearch } from "./provider/openai-web-search.ts";
import type { ChatAgentDeps } from "./run-chat.ts";
import type { SubAgentPorts } from "./subagents/index.ts";
import { weatherAgent } from "./subagents/weather.ts";
import { webSearchAgent } from "./subagents/web-search.ts";

export interface ChatAgentSettings {
  readonly OPENAI_BASE_URL?: string;
  readonly OPENAI_API_KEY?: string;
  readonly OPENAI_MODEL: string;
  readonly CHAT_INPUT_WAIT_MS: number;
  readonly CHAT_PROVIDER_TIMEOUT_MS: number;
  readonly CHAT_WEB_SEARCH_TIMEOUT_MS: number;
  readonly WEATHER_API_URL?: string;
  readonly WEATHER_TIMEOUT_MS: number;
}

export interface ChatAgentClients {
  readonly chat: RpcClient<typeof ChatService>;
  readonly info: RpcClient<typeof InfoService>;
  readonly character: RpcClient<typeof CharacterService>;
  readonly location: RpcClient<typeof LocationService>;
  readonly images: RpcClient<typeof ImageService>;
}

/**
 * providedAgents: the sub-agents a configured provider adds. A forecast endpoint turns weather on;
 * the OpenAI key turns web search on (the Responses API's hosted search). Without them the
 * agent answers "not available" and never calls out.
 */
export function providedAgents(
  settings: ChatAgentSettings,
): NonNullable<SubAgentPorts["provided"]> {
  const weather = settings.WEATHER_API_URL
    ? weatherAgent(
        createOpenMeteo({ url: settings.WEATHER_API_URL, timeoutMs: settings.WEATHER_TIMEOUT_MS }),
      )
    : undefined;
  const webSearch = settings.OPENAI_API_KEY
    ? webSearchAgent(
        createOpenAiWebSearch({
          baseUrl: settings.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL,
          apiKey: settings.OPENAI_API_KEY,
          model: settings.OPENAI_MODEL,
          timeoutMs: settings.CHAT_WEB_SEARCH_TIMEOUT_MS,
        }),
      )
    : undefined;
  return { ...(weather ? { weather } : {}), ...(webSearch ? { web_search: webSearch } : {}) };
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
  const provided = providedAgents(settings);
  log.info(
    { provided: Object.keys(provided) },
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
    provided,
    log,
    inputWaitMs: settings.CHAT_INPUT_WAIT_MS,
  };
}
