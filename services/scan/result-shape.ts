// The S2 body the worker writes (CONTRACT S2), as the gateway receives it over gRPC.
import { create, type JsonObject } from "@bufbuild/protobuf";
import {
  type PipelineResult,
  PipelineResultSchema,
  type Reward,
  RewardSchema,
} from "../../gen/eco2/scan/v1/scan_pb.ts";

/** ScanBody is the contract's S2 body, the `result` of the `done` event. */
export interface ScanBody {
  task_id: string;
  status: "completed" | "failed";
  message: string;
  pipeline_result: {
    classification_result: {
      classification: {
        major_category: string;
        middle_category: string;
        minor_category: string | null;
      };
      situation_tags: string[];
      meta: Record<string, unknown> & { user_input: string };
    };
    disposal_rules: JsonObject | null;
    final_answer: {
      disposal_steps: Record<string, string>;
      insufficiencies: string[];
      user_answer: string;
    };
  } | null;
  reward: {
    name: string;
    dialog: string;
    match_reason: string;
    type: string;
    is_new: boolean;
  } | null;
  error: { code: string; message: string } | null;
}

export function pipelineOf(body: ScanBody | null): PipelineResult | undefined {
  const pipeline = body?.pipeline_result;
  if (!pipeline) return undefined;
  const { classification_result: classified, final_answer: answer } = pipeline;
  return create(PipelineResultSchema, {
    classificationResult: {
      classification: {
        majorCategory: classified.classification.major_category,
        middleCategory: classified.classification.middle_category,
        minorCategory: classified.classification.minor_category ?? "",
      },
      situationTags: classified.situation_tags,
      userInput: classified.meta.user_input,
      meta: classified.meta as JsonObject,
    },
    disposalRules: pipeline.disposal_rules ?? undefined,
    finalAnswer: {
      disposalSteps: Object.entries(answer.disposal_steps).map(([key, text]) => ({ key, text })),
      insufficiencies: answer.insufficiencies,
      userAnswer: answer.user_answer,
    },
  });
}

export function rewardOf(body: ScanBody | null): Reward | undefined {
  const reward = body?.reward;
  if (!reward) return undefined;
  return create(RewardSchema, {
    name: reward.name,
    dialog: reward.dialog,
    matchReason: reward.match_reason,
    type: reward.type,
    isNew: reward.is_new,
  });
}
