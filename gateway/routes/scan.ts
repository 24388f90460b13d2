import { ConnectError } from "@connectrpc/connect";
import { Elysia, t } from "elysia";
import {
  type GetScanResultResponse,
  JobStatus,
  type PipelineResult,
} from "../../gen/eco2/scan/v1/scan_pb.ts";
import { ERROR_CODE_METADATA } from "../../lib/rpc/domain-error.ts";
import { ApiError } from "../api-error.ts";
import type { ServiceClients } from "../clients.ts";
import { errorBody, jsonObject, orNull } from "./wire.ts";

const submitted = t.Object({
  job_id: t.String(),
  stream_url: t.String(),
  result_url: t.String(),
  status: t.String(),
});

const unsupportedModel = t.Object({
  detail: t.Object({
    error: t.Literal("unsupported_model"),
    message: t.String(),
    supported_models: t.Array(t.String()),
  }),
  code: t.Literal("UNSUPPORTED_MODEL"),
});

const pipelineResult = t.Object({
  classification_result: t.Object({
    classification: t.Object({
      major_category: t.String(),
      middle_category: t.String(),
      minor_category: t.Nullable(t.String()),
    }),
    situation_tags: t.Array(t.String()),
    // user_input, plus what the vision stage saw (confidence, detected objects).
    meta: t.Object({ user_input: t.String() }, { additionalProperties: true }),
  }),
  disposal_rules: t.Nullable(jsonObject),
  final_answer: t.Object({
    // Keys "단계1", "단계2", … in order; the client renders Object.entries of it.
    disposal_steps: t.Record(t.String(), t.String()),
    insufficiencies: t.Array(t.String()),
    user_answer: t.String(),
  }),
});

const scanResult = t.Object({
  task_id: t.String(),
  status: t.UnionEnum(["completed", "failed"]),
  message: t.String(),
  pipeline_result: t.Nullable(pipelineResult),
  reward: t.Nullable(
    t.Object({
      name: t.String(),
      dialog: t.String(),
      match_reason: t.String(),
      type: t.String(),
      is_new: t.Boolean(),
    }),
  ),
  error: t.Nullable(t.Object({ code: t.String(), message: t.String() })),
});

const processing = t.Object({
  status: t.Literal("processing"),
  message: t.String(),
  current_stage: t.Nullable(t.String()),
  progress: t.Nullable(t.Integer()),
});

const category = t.Object({
  id: t.Integer(),
  name: t.String(),
  display_name: t.String(),
  instructions: t.Array(t.String()),
});

const STATUS_NAMES: Record<JobStatus, string> = {
  [JobStatus.UNSPECIFIED]: "queued",
  [JobStatus.QUEUED]: "queued",
  [JobStatus.PROCESSING]: "processing",
  [JobStatus.COMPLETED]: "completed",
  [JobStatus.FAILED]: "failed",
};

function pipelineJson(result: PipelineResult | undefined): typeof pipelineResult.static | null {
  if (!result) return null;
  const classified = result.classificationResult;
  const answer = result.finalAnswer;
  return {
    classification_result: {
      classification: {
        major_category: classified?.classification?.majorCategory ?? "",
        middle_category: classified?.classification?.middleCategory ?? "",
        minor_category: orNull(classified?.classification?.minorCategory),
      },
      situation_tags: classified?.situationTags ?? [],
      meta: { ...(classified?.meta ?? {}), user_input: classified?.userInput ?? "" },
    },
    disposal_rules: result.disposalRules ?? null,
    final_answer: {
      disposal_steps: Object.fromEntries(
        (answer?.disposalSteps ?? []).map((step) => [step.key, step.text]),
      ),
      insufficiencies: answer?.insufficiencies ?? [],
      user_answer: answer?.userAnswer ?? "",
    },
  };
}

function resultJson(answer: GetScanResultResponse): typeof scanResult.static {
  const failed = answer.status === JobStatus.FAILED;
  return {
    task_id: answer.jobId,
    status: failed ? "failed" : "completed",
    message: failed ? answer.error?.message || "classification failed" : "classification completed",
    pipeline_result: pipelineJson(answer.pipelineResult),
    reward: answer.reward
      ? {
          name: answer.reward.name,
          dialog: answer.reward.dialog,
          match_reason: answer.reward.matchReason,
          type: answer.reward.type,
          is_new: answer.reward.isNew,
        }
      : null,
    error: answer.error ? { code: answer.error.code, message: answer.error.message } : null,
  };
}

function domainCode(err: unknown): string | undefined {
  return err instanceof ConnectError
    ? (err.metadata.get(ERROR_CODE_METADATA) ?? undefined)
    : undefined;
}

/** scanRoutes submit a photographed item and read its result (CONTRACT S1–S3) → ScanService. */
export function scanRoutes(clients: ServiceClients) {
  return new Elysia({
    name: "eco2/routes/scan",
    prefix: "/api/v1/scan",
    detail: { tags: ["scan"] },
  })
    .post(
      "",
      async ({ body, headers, status }) => {
        // A missing URL is the contract's 400, not a 422: the client shows its message.
        if (!body.image_url) {
          throw new ApiError(400, "IMAGE_URL_REQUIRED", "image_url is required");
        }
        try {
          const job = await clients.scan.submitScan({
            imageUrl: body.image_url,
            userInput: body.user_input ?? "",
            model: body.model ?? "",
            idempotencyKey: headers["x-idempotency-key"] ?? "",
          });
          return {
            job_id: job.jobId,
            stream_url: `/api/v1/scan/${job.jobId}/events`,
            // The client parses the job id out of this exact shape.
            result_url: `/api/v1/scan/${job.jobId}/result`,
            status: STATUS_NAMES[job.status] ?? "queued",
          };
        } catch (err) {
          if (domainCode(err) !== "UNSUPPORTED_MODEL") throw err;
          // The contract's one structured detail: it lists the models the client may choose.
          const models = await clients.scan.listSupportedModels({});
          return status(400, {
            detail: {
              error: "unsupported_model" as const,
              message: (err as ConnectError).rawMessage || `unsupported model: ${body.model}`,
              supported_models: models.models,
            },
            code: "UNSUPPORTED_MODEL" as const,
          });
        }
      },
      {
        body: t.Object({
          image_url: t.Optional(t.Nullable(t.String({ format: "uri" }))),
          user_input: t.Optional(t.String()),
          model: t.Optional(t.String()),
        }),
        headers: t.Object({ "x-idempotency-key": t.Optional(t.String({ maxLength: 200 })) }),
        response: { 200: submitted, 400: t.Union([unsupportedModel, errorBody]) },
        detail: { summary: "Queue a scan of an uploaded image (S1)" },
      },
    )
    .get(
      "/:job_id/result",
      async ({ params: { job_id }, set, status }) => {
        const answer = await clients.scan.getScanResult({ jobId: job_id });
        if (answer.status === JobStatus.COMPLETED || answer.status === JobStatus.FAILED) {
          return resultJson(answer);
        }
        set.headers["retry-after"] = "2";
        return status(202, {
          status: "processing" as const,
          message: "결과 준비 중입니다.",
          current_stage: orNull(answer.currentStage),
          progress: answer.currentStage ? answer.progress : null,
        });
      },
      {
        params: t.Object({ job_id: t.String({ minLength: 1 }) }),
        response: { 200: scanResult, 202: processing, 404: errorBody },
        detail: {
          summary:
            "The scan's result: 200 completed or failed, 202 + Retry-After while it runs, 404 RESULT_NOT_FOUND (S2)",
        },
      },
    )
    .get(
      "/categories",
      async () => {
        const answer = await clients.scan.listCategories({});
        return answer.categories.map((c) => ({
          id: c.id,
          name: c.name,
          display_name: c.displayName,
          instructions: c.instructions,
        }));
      },
      { response: t.Array(category), detail: { summary: "The four disposal categories (S3)" } },
    );
}
