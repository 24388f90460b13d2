// The agent's ports over the real clients: ChatService, InfoService, CharacterService,
// LocationService, ImageService + vision, and the bus.
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { CharacterService } from "../../../gen/eco2/character/v1/character_pb.ts";
import type { ChatService } from "../../../gen/eco2/chat/v1/chat_pb.ts";
import type { CharacterCard as CardMessage } from "../../../gen/eco2/common/v1/common_pb.ts";
import { ChatAnsweredSchema } from "../../../gen/eco2/events/v1/events_pb.ts";
import type { InfoService } from "../../../gen/eco2/info/v1/info_pb.ts";
import type { LocationService } from "../../../gen/eco2/location/v1/location_pb.ts";
import type { ImageService } from "../../../gen/eco2/storage/v1/storage_pb.ts";
import type { Bus } from "../../../lib/bus/types.ts";
import { currentContext, runWithContext } from "../../../lib/context/request-context.ts";
import type { RpcClient } from "../../../lib/rpc/index.ts";
import type { VisionPort } from "../vision/index.ts";
import type {
  AnsweredPort,
  CharacterCard,
  CharactersPort,
  GuideDocument,
  GuidesPort,
  HistoryPort,
  ImagesPort,
  JobEventsPort,
  PlacesPort,
} from "./ports.ts";

/** asUser runs a call with x-user-id set: the chat service reads a chat only for its owner. */
function asUser<T>(userId: string, call: () => Promise<T>): Promise<T> {
  const ctx = currentContext();
  const base = ctx ?? { requestId: "", traceparent: "", traceId: "", userId: "" };
  return runWithContext({ ...base, userId }, call);
}

export function chatEventsPort(chat: RpcClient<typeof ChatService>): JobEventsPort {
  return {
    async record(jobId, events) {
      await chat.recordEvents({ jobId, events: [...events] });
    },
    async awaitInput(jobId, waitMs) {
      // The call itself waits up to wait_ms; its deadline leaves room for the answer.
      const reply = await chat.awaitInput({ jobId, waitMs }, { timeoutMs: waitMs + 5000 });
      if (!reply.received) return undefined;
      return { type: reply.type, data: reply.data ?? null };
    },
  };
}

export function chatHistoryPort(chat: RpcClient<typeof ChatService>): HistoryPort {
  return {
    async recent(chatId, userId, limit) {
      const page = await asUser(userId, () => chat.getChat({ chatId, limit }));
      return page.messages
        .filter((m) => m.role === "user" || m.role === "assistant")
        .map((m) => ({
          role: m.role as "user" | "assistant",
          content: m.content,
          ...(m.intent ? { intent: m.intent } : {}),
        }));
    },
  };
}

const strings = (value: JsonValue | undefined): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

function guideDocument(
  summary: { key: string; category: string; name: string; summary: string },
  doc: JsonObject,
): GuideDocument {
  const refused = (doc.배출불가_품목_안내 ?? {}) as Record<string, JsonValue>;
  return {
    ...summary,
    steps: strings(doc.배출방법_공통),
    descriptions: strings(doc.대상_설명),
    exclusions: Object.entries(refused).map(([item, what]) => `${item}: ${String(what)}`),
    sources: strings(doc.출처),
  };
}

export function guidesPort(info: RpcClient<typeof InfoService>): GuidesPort {
  return {
    async search(query, limit) {
      const { matches } = await info.searchGuides({ query, limit });
      return matches.flatMap((m) =>
        m.guide ? [{ guide: m.guide, matched: m.matchedItem, score: m.score }] : [],
      );
    },
    async get(key) {
      try {
        const found = await info.getGuide({ key });
        return found.summary && found.document
          ? guideDocument(found.summary, found.document)
          : undefined;
      } catch (err) {
        if (err instanceof ConnectError && err.code === Code.NotFound) return undefined;
        throw err;
      }
    },
  };
}

const card = (c: CardMessage): CharacterCard => ({
  name: c.name,
  type: c.type,
  dialog: c.dialog,
  matchLabel: c.matchLabel,
});

export function charactersPort(characters: RpcClient<typeof CharacterService>): CharactersPort {
  return {
    async match(query) {
      const found = await characters.getCharacterByMatch({
        middleCategory: query.middleCategory ?? "",
        text: (query.text ?? "").slice(0, 2000),
      });
      return found.matched && found.character ? card(found.character) : undefined;
    },
    async catalog() {
      return (await characters.listCatalog({})).characters.map(card);
    },
  };
}

export function placesPort(location: RpcClient<typeof LocationService>): PlacesPort {
  return {
    async near(point, radiusM) {
      const { entries } = await location.listCenters({ ...point, radius: radiusM });
      return entries.map((e) => ({
        name: e.name,
        source: e.source,
        ...(e.roadAddress ? { address: e.roadAddress } : {}),
        distanceKm: e.distanceKm,
        ...(e.distanceText ? { distanceText: e.distanceText } : {}),
        storeCategory: e.storeCategory,
        pickupCategories: e.pickupCategories,
      }));
    },
  };
}

/** imagesPort reads the checked image from storage (scaled for analysis) and runs vision on it. */
export function imagesPort(images: RpcClient<typeof ImageService>, vision: VisionPort): ImagesPort {
  return {
    async see(image, text) {
      const read = await images.readImage({ key: image.key, maxSide: 1280 });
      return vision.classify({
        image: read.image,
        contentType: read.contentType || image.contentType,
        userInput: text || undefined,
      });
    },
  };
}

/** answeredPort publishes chat.answered with a message id per job, so a republish is a duplicate. */
export function answeredPort(bus: Bus): AnsweredPort {
  return {
    async publish(answer) {
      await bus.publish(
        ChatAnsweredSchema,
        "chat.answered",
        { ...answer, answeredAt: timestampFromDate(answer.answeredAt) },
        { messageId: `chat.answered:${answer.jobId}` },
      );
    },
  };
}
