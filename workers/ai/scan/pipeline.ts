// The scan pipeline of one job (CONTRACT §3.2): vision → rule → answer → reward, each stage
// recorded with the scan service as it starts and ends, retried with backoff, and a job that
// cannot finish ends failed with an `error` event instead of hanging.
import type { JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { backOff } from "exponential-backoff";
import type { CharacterService } from "../../../gen/eco2/character/v1/character_pb.ts";
import type { ScanRequested } from "../../../gen/eco2/events/v1/events_pb.ts";
import type { InfoService } from "../../../gen/eco2/info/v1/info_pb.ts";
import type { ScanService } from "../../../gen/eco2/scan/v1/scan_pb.ts";
import type { ImageService } from "../../../gen/eco2/storage/v1/storage_pb.ts";
import type { Logger } from "../../../lib/log/create-logger.ts";
import type { RpcClient } from "../../../lib/rpc/index.ts";
import type { VisionPort, VisionResult } from "../vision/index.ts";
import { composeAnswer, type FinalAnswer } from "./compose-answer.ts";
import { scanJobs, scanStageSeconds } from "./metrics.ts";

export interface ScanPipelineDeps {
  readonly scan: RpcClient<typeof ScanService>;
  readonly info: RpcClient<typeof InfoService>;
  readonly character: RpcClient<typeof CharacterService>;
  readonly images: RpcClient<typeof ImageService>;
  readonly vision: VisionPort;
  readonly log: Logger;
  /** Attempts per stage, the first included, and the first backoff delay. */
  readonly retry: { readonly attempts: number; readonly baseDelayMs: number };
}

type StageName = "vision" | "rule" | "answer" | "reward";

/** StageFailed ends a job: the stage gave up after its retries. */
export class StageFailed extends Error {
  constructor(
    readonly stage: StageName,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Errors no retry can fix: the input itself is wrong. */
function permanent(err: unknown): boolean {
  return (
    err instanceof ConnectError &&
    [Code.NotFound, Code.InvalidArgument, Code.PermissionDenied, Code.FailedPrecondition].includes(
      err.code,
    )
  );
}

async function runStage<T>(
  deps: ScanPipelineDeps,
  stage: StageName,
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await backOff(work, {
      numOfAttempts: deps.retry.attempts,
      startingDelay: deps.retry.baseDelayMs,
      jitter: "full",
      retry: (err) => {
        deps.log.warn({ err, stage }, "scan stage failed; retrying");
        return !permanent(err);
      },
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new StageFailed(stage, `${stage.toUpperCase()}_FAILED`, reason);
  } finally {
    scanStageSeconds.observe({ stage }, (performance.now() - started) / 1000);
  }
}

function recorder(deps: ScanPipelineDeps, jobId: string) {
  return (
    stage: string,
    status: string,
    progress: number,
    result?: unknown,
    error?: { code: string; message: string },
  ) =>
    deps.scan.recordStage({
      jobId,
      stage,
      status,
      progress,
      resultJson: result === undefined ? "" : JSON.stringify(result),
      error,
    });
}

async function see(deps: ScanPipelineDeps, job: ScanRequested): Promise<VisionResult> {
  // The storage worker owns the images; it hands over the checked one, scaled for analysis.
  const image = await deps.images.readImage({ key: job.imageKey, maxSide: 1280 });
  return deps.vision.classify({
    image: image.image,
    contentType: image.contentType,
    userInput: job.userInput || undefined,
    model: job.model || undefined,
  });
}

async function rulesFor(deps: ScanPipelineDeps, vision: VisionResult): Promise<JsonObject | null> {
  if (vision.unclassified) return null;
  const { major, middle, minor } = vision.classification;
  try {
    const found = await deps.info.getGuideByClassification({
      classification: { majorCategory: major, middleCategory: middle, minorCategory: minor },
    });
    return found.document ?? null;
  } catch (err) {
    // No rule for this category is an answer (disposal_rules null), not a failure.
    if (err instanceof ConnectError && err.code === Code.NotFound) return null;
    throw err;
  }
}

async function reward(
  deps: ScanPipelineDeps,
  job: ScanRequested,
  vision: VisionResult,
  rules: JsonObject | null,
  answer: FinalAnswer,
) {
  if (vision.unclassified) return null;
  const { major, middle, minor } = vision.classification;
  const granted = await deps.character.grantReward({
    userId: job.userId,
    source: "scan",
    sourceRef: job.jobId,
    classification: { majorCategory: major, middleCategory: middle, minorCategory: minor },
    disposalRulesPresent: rules !== null,
    insufficienciesPresent: answer.insufficiencies.length > 0,
  });
  if (!granted.received || !granted.character) return null;
  return {
    name: granted.character.name,
    dialog: granted.character.dialog,
    match_reason: granted.matchReason,
    type: granted.character.type,
    is_new: granted.isNew,
  };
}

function scanBody(
  job: ScanRequested,
  vision: VisionResult,
  rules: JsonObject | null,
  answer: FinalAnswer,
  granted: Awaited<ReturnType<typeof reward>>,
) {
  const { major, middle, minor } = vision.classification;
  return {
    task_id: job.jobId,
    status: "completed",
    message: "classification completed",
    pipeline_result: {
      classification_result: {
        classification: {
          major_category: major,
          middle_category: middle,
          minor_category: minor || null,
        },
        situation_tags: [...vision.situationTags],
        meta: {
          user_input: job.userInput,
          confidence: vision.confidence,
          detections: vision.detections.map((d) => ({ label: d.label, score: d.score })),
        },
      },
      disposal_rules: rules,
      final_answer: answer,
    },
    reward: granted,
    error: null,
  };
}

/**
 * runScan runs one job to its end and records every stage. Recording is idempotent, so a job the
 * broker redelivers (its worker died) runs again without a watcher seeing a stage twice, and its
 * reward is granted once. Errors of the recorder itself propagate: the message is retried.
 */
export async function runScan(
  deps: ScanPipelineDeps,
  job: ScanRequested,
): Promise<"completed" | "failed"> {
  const record = recorder(deps, job.jobId);
  try {
    await record("vision", "started", 0);
    const vision = await runStage(deps, "vision", () => see(deps, job));
    await record("vision", "completed", 25, {
      classification: vision.classification,
      situation_tags: vision.situationTags,
    });
    await record("rule", "started", 25);
    const rules = await runStage(deps, "rule", () => rulesFor(deps, vision));
    await record("rule", "completed", 50, { disposal_rules_found: rules !== null });
    await record("answer", "started", 50);
    const answer = await runStage(deps, "answer", async () => composeAnswer(vision, rules));
    await record("answer", "completed", 75, { final_answer: answer });
    await record("reward", "started", 75);
    const granted = await runStage(deps, "reward", () => reward(deps, job, vision, rules, answer));
    // The contract sends done (with the whole result) before reward completed.
    await record("done", "completed", -1, scanBody(job, vision, rules, answer, granted));
    await record("reward", "completed", 100, { reward: granted });
    scanJobs.inc({ outcome: "completed" });
    return "completed";
  } catch (err) {
    if (!(err instanceof StageFailed)) throw err;
    await record(err.stage, "failed", -1, undefined, { code: err.code, message: err.message });
    scanJobs.inc({ outcome: "failed" });
    deps.log.warn({ job_id: job.jobId, stage: err.stage, reason: err.message }, "scan job failed");
    return "failed";
  }
}
