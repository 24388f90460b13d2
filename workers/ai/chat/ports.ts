// The agent's ports: everything it reads or calls outside itself. component.ts wires gRPC clients
// and the provider behind them (grpc-ports.ts); tests pass plain objects.
import type { VisionResult } from "../vision/index.ts";

export interface GeoPoint {
  readonly latitude: number;
  readonly longitude: number;
}

/** One event as the worker reports it (ChatService.RecordEvents' ChatEvent). */
export interface AgentEvent {
  readonly stage: string;
  readonly status: string;
  readonly seq: number;
  readonly progress: number;
  readonly message: string;
  readonly resultJson: string;
  readonly content: string;
  readonly node: string;
}

export interface JobEventsPort {
  /** Appends events in order; the chat service skips seqs it already holds. */
  record(jobId: string, events: readonly AgentEvent[]): Promise<void>;
  /** Waits for the user's C7 answer; undefined when none came in time. */
  awaitInput(jobId: string, waitMs: number): Promise<{ type: string; data: unknown } | undefined>;
}

export interface PastMessage {
  readonly role: "user" | "assistant";
  readonly content: string;
  readonly intent?: string;
}

export interface HistoryPort {
  /** The chat's latest messages, oldest first, read as the chat's owner. */
  recent(chatId: string, userId: string, limit: number): Promise<PastMessage[]>;
}

export interface GuideSummary {
  readonly key: string;
  /** The major category (재활용폐기물, 대형폐기물, …). */
  readonly category: string;
  /** The middle category for 재활용폐기물, else the major's name. */
  readonly name: string;
  readonly summary: string;
}

export interface GuideDocument extends GuideSummary {
  /** 배출방법_공통: the steps every item of the category follows. */
  readonly steps: readonly string[];
  /** 대상_설명: what the category covers. */
  readonly descriptions: readonly string[];
  /** 배출불가_품목_안내 as "item: what to do instead". */
  readonly exclusions: readonly string[];
  readonly sources: readonly string[];
}

export interface GuidesPort {
  search(
    query: string,
    limit: number,
  ): Promise<{ guide: GuideSummary; matched: string; score: number }[]>;
  get(key: string): Promise<GuideDocument | undefined>;
}

export interface CharacterCard {
  readonly name: string;
  readonly type: string;
  readonly dialog: string;
  /** The waste middle category that earns it ("" for the default character). */
  readonly matchLabel: string;
}

export interface CharactersPort {
  /** The character a middle category (or a name in free text) earns; undefined when none matches. */
  match(query: { middleCategory?: string; text?: string }): Promise<CharacterCard | undefined>;
  catalog(): Promise<CharacterCard[]>;
}

export interface Place {
  readonly name: string;
  /** keco (public collection point) | zerowaste | kakao */
  readonly source: string;
  readonly address?: string;
  readonly distanceKm: number;
  readonly distanceText?: string;
  readonly storeCategory: string;
  readonly pickupCategories: readonly string[];
}

export interface PlacesPort {
  near(point: GeoPoint, radiusM: number): Promise<Place[]>;
}

export interface ImagesPort {
  /** Reads the job's checked image and runs the vision stage on it. */
  see(image: { key: string; contentType: string }, text: string): Promise<VisionResult>;
}

export interface ChatTurn {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/** An OpenAI-compatible provider, when one is configured. */
export interface LlmPort {
  /** One completion constrained to a JSON schema; resolves to the parsed object. */
  json(turns: readonly ChatTurn[], schemaName: string, schema: object): Promise<unknown>;
  /** Streams the completion's text deltas. */
  stream(turns: readonly ChatTurn[]): AsyncIterable<string>;
}

export interface AnsweredPort {
  publish(answer: {
    jobId: string;
    chatId: string;
    userId: string;
    userMessage: string;
    userImageUrl: string;
    assistantMessage: string;
    intent: string;
    metadataJson: string;
    answeredAt: Date;
  }): Promise<void>;
}

/** The weather now and for the rest of today at one point, from a configured forecast provider. */
export interface Forecast {
  /** Local (Asia/Seoul) time of the observation, `YYYY-MM-DDTHH:MM`. */
  readonly observedAt: string;
  readonly temperatureC: number;
  /** Precipitation of the last interval, in mm. */
  readonly precipitationMm: number;
  /** WMO weather interpretation code. */
  readonly weatherCode: number;
  readonly windKmh: number;
  /** Highest chance of precipitation from this hour to the end of today, in %; unknown when absent. */
  readonly rainChancePct?: number;
  /** Who the numbers come from (the provider's host), named in the answer's sources. */
  readonly source: string;
}

export interface WeatherPort {
  now(point: GeoPoint): Promise<Forecast>;
}

export interface WebCitation {
  readonly url: string;
  readonly title: string;
}

export interface WebAnswer {
  readonly text: string;
  readonly citations: readonly WebCitation[];
}

/** A provider's hosted web search (the OpenAI Responses API's web_search tool). */
export interface WebSearchPort {
  search(question: string): Promise<WebAnswer>;
}
