// The chat job's stages as the contract numbers them (CONTRACT §2.3) and what ends a job.

/** STAGE_ORDER of §2.3: a stage event's seq is order × 10 (+1 once completed). */
export const STAGE_ORDER: Readonly<Record<string, number>> = {
  queued: 0,
  intent: 1,
  vision: 2,
  waste_rag: 3,
  character: 4,
  location: 5,
  kakao_place: 6,
  bulk_waste: 7,
  weather: 8,
  recyclable_price: 9,
  collection_point: 10,
  web_search: 11,
  image_generation: 12,
  general: 13,
  aggregator: 14,
  feedback: 15,
  answer: 16,
  eval: 17,
  done: 18,
  needs_input: 19,
};

/** The client also listens for `summarize`, which §2.3 leaves unnumbered. */
const OTHER_STAGES = new Set(["summarize"]);

export const TOKEN = "token";
/** Answer tokens are numbered from here (§2.3). */
export const FIRST_TOKEN_SEQ = 1001;

export const STAGE_STATUSES = new Set(["started", "completed", "failed", "waiting"]);

export function isStage(stage: string): boolean {
  return Object.hasOwn(STAGE_ORDER, stage) || OTHER_STAGES.has(stage);
}

/** endsJob: `done` (completed or failed) or any failed stage is the last event of a job. */
export function endsJob(stage: string, status: string): boolean {
  return stage === "done" || status === "failed";
}

/** The SSE event name of an event: `error` for a failure, else its stage (`token` for tokens). */
export function eventName(stage: string, status: string): string {
  return status === "failed" ? "error" : stage;
}
