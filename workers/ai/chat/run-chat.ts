// One chat job, start to end (CONTRACT §2.3, §3.6): intent → vision (with an image) → sub-agents
// in parallel → aggregator → answer (streamed tokens) → eval → done, every stage reported through
// ChatService.RecordEvents, then chat.answered for the chat service to persist the two messages.
import type { ChatMessageRequested } from "../../../gen/eco2/events/v1/events_pb.ts";
import type { Logger } from "../../../lib/log/create-logger.ts";
import type { VisionResult } from "../vision/index.ts";
import type { Composer } from "./compose/composer.ts";
import { evaluate } from "./evaluate.ts";
import { EventLog } from "./event-log.ts";
import { classifyTurn, type TurnIntents } from "./intent/classify-turn.ts";
import type { Intent } from "./intent/intents.ts";
import type {
  AnsweredPort,
  GeoPoint,
  HistoryPort,
  ImagesPort,
  JobEventsPort,
  LlmPort,
  PastMessage,
} from "./ports.ts";
import { INTENT_STAGE, subAgentProgress } from "./stages.ts";
import { enrichmentsFor } from "./subagents/enrichment.ts";
import { createSubAgents, type SubAgentPorts } from "./subagents/index.ts";
import type { Finding, Turn } from "./subagents/types.ts";

export interface ChatAgentDeps extends SubAgentPorts {
  readonly events: JobEventsPort;
  readonly history: HistoryPort;
  readonly images: ImagesPort;
  readonly answered: AnsweredPort;
  readonly composer: Composer;
  /** Set when a provider classifies intents. */
  readonly llm?: LlmPort;
  readonly log: Logger;
  /** How long a needs_input question waits for the user's answer. */
  readonly inputWaitMs: number;
  readonly now?: () => Date;
}

const HISTORY_LIMIT = 10;
const LOCATION_QUESTION = "가까운 곳을 찾으려면 위치가 필요해요. 지금 위치를 공유해 줄래요?";
const WEATHER_QUESTION = "날씨를 알려 드리려면 위치가 필요해요. 지금 위치를 공유해 줄래요?";

/** A job failure the user sees (done failed), as opposed to the chat service being away (retry). */
class JobFailed extends Error {}

export async function runChat(
  deps: ChatAgentDeps,
  job: ChatMessageRequested,
): Promise<"completed" | "failed"> {
  const log = new EventLog(deps.events, job.jobId);
  try {
    const result = await answer(deps, job, log);
    await log.drain();
    await deps.answered.publish(result.answered);
    return "completed";
  } catch (err) {
    if (!(err instanceof JobFailed)) throw err;
    deps.log.warn({ job_id: job.jobId, reason: err.message }, "chat job failed");
    log.stage("done", "failed", -1, { error: err.message });
    await log.drain();
    return "failed";
  }
}

async function answer(deps: ChatAgentDeps, job: ChatMessageRequested, log: EventLog) {
  const history = await readHistory(deps, job);
  log.stage("intent", "started", 5);
  const classified = await classify(deps, job, history);
  log.stage("intent", "completed", 15, {
    intent: classified.intents[0],
    intents: classified.intents,
    source: classified.source,
  });
  const vision = job.imageKey ? await see(deps, job, log) : undefined;
  const findings = await runSubAgents(deps, job, log, {
    history,
    vision,
    intents: classified.intents,
  });
  log.stage("aggregator", "started", 55);
  log.stage("aggregator", "completed", 65, {
    intents: classified.intents,
    found: findings.filter((f) => f.found).map((f) => f.intent),
  });
  log.stage("answer", "started", 75);
  let text = "";
  try {
    for await (const piece of deps.composer({
      message: job.message,
      intents: classified.intents,
      findings,
      history,
    })) {
      text += piece;
      log.token(piece);
    }
  } catch (err) {
    throw new JobFailed(`the answer could not be composed: ${(err as Error).message}`);
  }
  log.stage("answer", "completed", 90, { length: text.length });
  log.stage("eval", "started", 90);
  const grade = evaluate(text, findings);
  log.stage("eval", "completed", 98, grade);
  const body = doneResult(deps, job, classified.intents, text, grade, findings);
  log.stage("done", "completed", 100, body.result);
  return body;
}

async function readHistory(deps: ChatAgentDeps, job: ChatMessageRequested): Promise<PastMessage[]> {
  try {
    return await deps.history.recent(job.chatId, job.userId, HISTORY_LIMIT);
  } catch (err) {
    // Memory makes answers better; without it the turn still gets an answer.
    deps.log.warn({ err, chat_id: job.chatId }, "chat history unavailable; answering without it");
    return [];
  }
}

async function classify(
  deps: ChatAgentDeps,
  job: ChatMessageRequested,
  history: PastMessage[],
): Promise<TurnIntents> {
  const turn = await classifyTurn(job.message, history, deps.llm, (err) =>
    deps.log.warn({ err }, "provider intent classification failed; embedded classifier answers"),
  );
  // A photo with nothing else asked is a "how do I throw this away" question.
  if (job.imageKey && turn.intents.length === 1 && turn.intents[0] === "general") {
    return { intents: ["waste"], source: turn.source };
  }
  return turn;
}

async function see(
  deps: ChatAgentDeps,
  job: ChatMessageRequested,
  log: EventLog,
): Promise<VisionResult | undefined> {
  log.stage("vision", "started", 15);
  try {
    const vision = await deps.images.see(
      { key: job.imageKey, contentType: job.imageContentType },
      job.message,
    );
    log.stage("vision", "completed", 20, {
      classification: vision.classification,
      situation_tags: vision.situationTags,
      unclassified: vision.unclassified,
    });
    return vision;
  } catch (err) {
    // The text still gets an answer; the stage says the photo could not be read.
    deps.log.warn({ err, job_id: job.jobId }, "chat vision failed");
    log.stage("vision", "completed", 20, { error: "이미지를 분석하지 못했어요." });
    return undefined;
  }
}

function locationOf(
  deps: ChatAgentDeps,
  job: ChatMessageRequested,
  log: EventLog,
  intents: readonly Intent[],
): () => Promise<GeoPoint | undefined> {
  let asked: Promise<GeoPoint | undefined> | undefined;
  const sent = job.userLocation;
  // Asked once per turn: about places when a place search needs it, else about the weather.
  const forPlaces = intents.some((i) => i === "location" || i === "collection_point");
  const question = !forPlaces && intents.includes("weather") ? WEATHER_QUESTION : LOCATION_QUESTION;
  return () => {
    if (sent) return Promise.resolve({ latitude: sent.latitude, longitude: sent.longitude });
    asked ??= (async () => {
      log.stage("needs_input", "waiting", -1, { type: "location", question });
      await log.drain();
      const reply = await deps.events.awaitInput(job.jobId, deps.inputWaitMs);
      return reply?.type === "location" ? pointFrom(reply.data) : undefined;
    })();
    return asked;
  };
}

function pointFrom(data: unknown): GeoPoint | undefined {
  const d = data as {
    latitude?: unknown;
    longitude?: unknown;
    lat?: unknown;
    lng?: unknown;
  } | null;
  const latitude = Number(d?.latitude ?? d?.lat);
  const longitude = Number(d?.longitude ?? d?.lng);
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  return { latitude, longitude };
}

async function runSubAgents(
  deps: ChatAgentDeps,
  job: ChatMessageRequested,
  log: EventLog,
  context: { history: PastMessage[]; vision?: VisionResult; intents: Intent[] },
): Promise<Finding[]> {
  const hasLocation = job.userLocation !== undefined;
  const agents = createSubAgents(deps, () => hasLocation);
  const extra = enrichmentsFor(context.intents, deps, hasLocation);
  const turn: Turn = {
    message: job.message,
    ...context,
    location: locationOf(deps, job, log, context.intents),
  };
  const running = [...context.intents, ...extra];
  let done = 0;
  for (const intent of running) log.stage(INTENT_STAGE[intent], "started", 20);
  const findings = await Promise.all(
    running.map(async (intent) => {
      const finding = await agents[intent](turn).catch((err: unknown): Finding => {
        deps.log.warn({ err, intent }, "chat sub-agent failed");
        return {
          intent,
          found: false,
          facts: ["이 정보는 지금 가져오지 못했어요. 잠시 후 다시 물어봐 주세요."],
          result: { error: (err as Error).message },
        };
      });
      const enriching = extra.includes(intent);
      const result = enriching ? { ...finding.result, enrichment: true } : finding.result;
      log.stage(
        INTENT_STAGE[intent],
        "completed",
        subAgentProgress(++done, running.length),
        result,
      );
      return { finding, enriching };
    }),
  );
  // An enrichment is a bonus: one that found nothing stays out of the answer and its grade.
  return findings.filter((f) => !f.enriching || f.finding.found).map((f) => f.finding);
}

function doneResult(
  deps: ChatAgentDeps,
  job: ChatMessageRequested,
  intents: Intent[],
  text: string,
  grade: ReturnType<typeof evaluate>,
  findings: Finding[],
) {
  const answeredAt = (deps.now ?? (() => new Date()))();
  const askedAt = new Date(answeredAt.getTime() - 1);
  const metadata = {
    intents,
    eval: grade,
    sources: [...new Set(findings.flatMap((f) => f.sources ?? []))],
  };
  const result = {
    intent: intents[0],
    intents,
    answer: text,
    eval: { grade: grade.grade, score: grade.score },
    persistence: {
      conversation_id: job.chatId,
      user_id: job.userId,
      user_message: job.message,
      user_message_created_at: askedAt.toISOString(),
      user_image_url: job.imageUrl || null,
      assistant_message: text,
      assistant_message_created_at: answeredAt.toISOString(),
      intent: intents[0],
      metadata,
    },
  };
  const answered = {
    jobId: job.jobId,
    chatId: job.chatId,
    userId: job.userId,
    userMessage: job.message,
    userImageUrl: job.imageUrl,
    assistantMessage: text,
    intent: intents[0]!,
    metadataJson: JSON.stringify(metadata),
    answeredAt,
  };
  return { result, answered };
}
