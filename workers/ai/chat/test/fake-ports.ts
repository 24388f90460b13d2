// Plain in-test implementations of the agent's ports: a recorder that keeps what a chat service
// would store (deduplicated by seq, like RecordEvents), and small fixed knowledge.
import { create } from "@bufbuild/protobuf";
import { ChatMessageRequestedSchema } from "../../../../gen/eco2/events/v1/events_pb.ts";
import { silentLog } from "../../../../test/support/silent-log.ts";
import { embeddedComposer } from "../compose/composer.ts";
import type {
  AgentEvent,
  AnsweredPort,
  GuideDocument,
  JobEventsPort,
  PastMessage,
} from "../ports.ts";
import type { ChatAgentDeps } from "../run-chat.ts";

export class RecordingEvents implements JobEventsPort {
  readonly events: AgentEvent[] = [];
  readonly calls: number[] = [];
  input: { type: string; data: unknown } | undefined;
  failNext = 0;
  /** How long one call takes, as a network round trip would. */
  delayMs = 0;
  async record(_jobId: string, events: readonly AgentEvent[]) {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("chat service unavailable");
    }
    this.calls.push(events.length);
    for (const e of events) if (!this.events.some((x) => x.seq === e.seq)) this.events.push(e);
  }
  async awaitInput() {
    return this.input;
  }
  stage(stage: string, status?: string) {
    return this.events.find((e) => e.stage === stage && (!status || e.status === status));
  }
  text() {
    return this.events
      .filter((e) => e.stage === "token")
      .sort((a, b) => a.seq - b.seq)
      .map((e) => e.content)
      .join("");
  }
}

const GUIDES: GuideDocument[] = [
  {
    key: "재활용폐기물_무색페트병",
    category: "재활용폐기물",
    name: "무색페트병",
    summary: "투명 페트병은 라벨을 떼고 찌그러뜨려 뚜껑을 닫아 냅니다.",
    steps: ["내용물을 비웁니다.", "라벨을 뗍니다.", "찌그러뜨립니다.", "뚜껑을 닫습니다."],
    descriptions: [],
    exclusions: ["유색 페트병: 플라스틱류로 냅니다."],
    sources: ["환경부 가이드라인"],
  },
  {
    key: "재활용폐기물_유리병",
    category: "재활용폐기물",
    name: "유리병",
    summary: "유리병은 뚜껑을 떼고 비워서 냅니다.",
    steps: ["뚜껑을 분리합니다.", "비우고 헹굽니다."],
    descriptions: [],
    exclusions: [],
    sources: [],
  },
  {
    key: "대형폐기물",
    category: "대형폐기물",
    name: "대형폐기물",
    summary: "신고하고 수수료를 낸 뒤 스티커를 붙여 냅니다.",
    steps: ["구청에 신고합니다.", "수수료를 냅니다.", "스티커를 붙입니다."],
    descriptions: ["냉장고는 폐가전 무상방문수거(1599-0903)를 이용합니다."],
    exclusions: [],
    sources: [],
  },
];

export class Published implements AnsweredPort {
  readonly answers: Parameters<AnsweredPort["publish"]>[0][] = [];
  async publish(answer: Parameters<AnsweredPort["publish"]>[0]) {
    this.answers.push(answer);
  }
}

export function fakeDeps(overrides: Partial<ChatAgentDeps> = {}, history: PastMessage[] = []) {
  const events = new RecordingEvents();
  const answered = new Published();
  const deps: ChatAgentDeps = {
    events,
    answered,
    history: { recent: async () => history },
    guides: {
      search: async (query) =>
        GUIDES.filter(
          (g) => query.includes(g.name.slice(-2)) || query.includes(g.name.slice(0, 2)),
        ).map((guide) => ({
          guide,
          matched: guide.name,
          score: 0.6,
        })),
      get: async (key) => GUIDES.find((g) => g.key === key),
    },
    characters: {
      match: async ({ middleCategory }) =>
        middleCategory === "무색페트병"
          ? { name: "페티", type: "생수병", dialog: "라벨 떼기!", matchLabel: "무색페트병" }
          : undefined,
      catalog: async () => [
        { name: "페티", type: "생수병", dialog: "라벨 떼기!", matchLabel: "무색페트병" },
      ],
    },
    places: {
      near: async () => [
        {
          name: "시청 자원순환가게",
          source: "keco",
          distanceKm: 0.3,
          distanceText: "300m",
          address: "서울특별시 중구 세종대로 110",
          storeCategory: "public_dropbox",
          pickupCategories: ["paper"],
        },
        {
          name: "알맹상점",
          source: "zerowaste",
          distanceKm: 1.2,
          distanceText: "1.2km",
          storeCategory: "refill_zero",
          pickupCategories: [],
        },
      ],
    },
    images: {
      see: async () => ({
        classification: { major: "재활용폐기물", middle: "유리병", minor: "" },
        situationTags: [],
        confidence: 0.9,
        detections: [],
        unclassified: false,
        source: "detector" as const,
      }),
    },
    composer: embeddedComposer,
    log: silentLog,
    inputWaitMs: 10,
    now: () => new Date("2026-12-01T00:00:00Z"),
    ...overrides,
  };
  return { deps, events, answered };
}

export interface JobFields {
  jobId?: string;
  message?: string;
  imageKey?: string;
  imageContentType?: string;
  imageUrl?: string;
  userLocation?: { latitude: number; longitude: number };
}

export function job(fields: JobFields = {}) {
  return create(ChatMessageRequestedSchema, {
    jobId: "job-0000000001",
    chatId: "chat-1",
    userId: "user-1",
    message: "페트병은 어떻게 버려?",
    ...fields,
  });
}
