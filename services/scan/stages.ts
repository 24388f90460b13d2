// The scan pipeline's stages as the contract numbers them (CONTRACT §2.3): their order, the seq of
// each event, and the progress a client shows.

export const STAGES = ["queued", "vision", "rule", "answer", "reward", "done"] as const;
export type Stage = (typeof STAGES)[number];
export type StageStatus = "started" | "completed" | "failed";

const ORDER: Record<Stage, number> = {
  queued: 0,
  vision: 1,
  rule: 2,
  answer: 3,
  reward: 4,
  done: 5,
};

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

/** seq orders events: stage × 10, plus 1 once the stage has ended (completed or failed). */
export function seqOf(stage: Stage, status: StageStatus): number {
  return ORDER[stage] * 10 + (status === "started" ? 0 : 1);
}

/** The progress shown at each stage's start and end (done carries none). */
export const PROGRESS: Record<Exclude<Stage, "done">, { started: number; completed: number }> = {
  queued: { started: 0, completed: 0 },
  vision: { started: 0, completed: 25 },
  rule: { started: 25, completed: 50 },
  answer: { started: 50, completed: 75 },
  reward: { started: 75, completed: 100 },
};

/** A job is over once `done` completed or any stage failed. */
export function endsJob(stage: string, status: string): boolean {
  return status === "failed" || (stage === "done" && status === "completed");
}
