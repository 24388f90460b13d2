import { randomUUID } from "node:crypto";
import { timestampFromDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type pg from "pg";
import { ScanRequestedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import {
  JobStatus,
  type ScanService,
  type WatchScanResponse,
} from "../../gen/eco2/scan/v1/scan_pb.ts";
import type { ImageService } from "../../gen/eco2/storage/v1/storage_pb.ts";
import { enqueueEvent } from "../../lib/bus/enqueue-event.ts";
import type { Cache } from "../../lib/cache/cache.ts";
import { withTransaction } from "../../lib/db/with-transaction.ts";
import { domainError, type RpcClient, requireUserId } from "../../lib/rpc/index.ts";
import { recordStage, watchEvents } from "./job-events.ts";
import { CATEGORIES, DEFAULT_MODEL, SUPPORTED_MODELS } from "./models.ts";
import { pipelineOf, rewardOf, type ScanBody } from "./result-shape.ts";
import { isStage, type StageStatus } from "./stages.ts";
import * as store from "./store.ts";

export interface ScanDependencies {
  readonly pool: pg.Pool;
  readonly cache: Cache;
  readonly images: RpcClient<typeof ImageService>;
}

export const SCAN_REQUESTED = "scan.requested";

const STATUS: Record<store.JobRow["status"], JobStatus> = {
  queued: JobStatus.QUEUED,
  processing: JobStatus.PROCESSING,
  completed: JobStatus.COMPLETED,
  failed: JobStatus.FAILED,
};

const resultNotFound = () => domainError(Code.NotFound, "RESULT_NOT_FOUND", "no such scan");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** ownJob reads a job of the caller's; anyone else's is as absent as a missing one (404). */
async function ownJob(pool: pg.Pool, jobId: string): Promise<store.JobRow> {
  const userId = requireUserId();
  if (!UUID.test(jobId)) throw resultNotFound();
  const job = await store.job(pool, jobId);
  if (!job || job.user_id !== userId) throw resultNotFound();
  return job;
}

function checkModel(model: string): string {
  if (!model) return DEFAULT_MODEL;
  if ((SUPPORTED_MODELS as readonly string[]).includes(model)) return model;
  throw domainError(Code.InvalidArgument, "UNSUPPORTED_MODEL", `unsupported model: ${model}`);
}

/**
 * ourImage checks and processes the image on its first use (CONTRACT A.11): the storage worker
 * refuses a foreign URL (400), someone else's or a missing upload (404), a type that lies (415)
 * and an oversized one (413), with the caller's identity carried by the call.
 */
function ourImage(images: RpcClient<typeof ImageService>, url: string) {
  return images.useImage({ url });
}

function submitted(job: Pick<store.JobRow, "id" | "status">) {
  return { jobId: job.id, status: STATUS[job.status] };
}

async function submit(
  deps: ScanDependencies,
  request: Parameters<NonNullable<ServiceImpl<typeof ScanService>["submitScan"]>>[0],
) {
  const userId = requireUserId();
  if (!request.imageUrl)
    throw domainError(Code.InvalidArgument, "IMAGE_URL_REQUIRED", "image_url is required");
  const model = checkModel(request.model);
  const key = request.idempotencyKey.trim() || null;
  if (key) {
    const earlier = await store.jobByKey(deps.pool, userId, key);
    if (earlier) return submitted(earlier);
  }
  const image = await ourImage(deps.images, request.imageUrl);
  const job: store.NewJob = {
    id: randomUUID(),
    userId,
    idempotencyKey: key,
    imageUrl: request.imageUrl,
    imageKey: image.key,
    imageContentType: image.contentType,
    userInput: request.userInput.trim(),
    model,
  };
  const created = await withTransaction(deps.pool, async (tx) => {
    if (!(await store.insertJob(tx, job))) return false;
    // In the same transaction: the worker hears of the job exactly when it exists.
    await enqueueEvent(tx, {
      schema: "scan",
      routingKey: SCAN_REQUESTED,
      schemaDesc: ScanRequestedSchema,
      event: {
        jobId: job.id,
        userId,
        imageUrl: job.imageUrl,
        userInput: job.userInput,
        model,
        requestedAt: timestampFromMs(Date.now()),
        imageKey: job.imageKey,
        imageContentType: job.imageContentType,
      },
    });
    return true;
  });
  if (!created && key) {
    // A concurrent submit with the same key won; answer with its job.
    const winner = await store.jobByKey(deps.pool, userId, key);
    if (winner) return submitted(winner);
  }
  await recordStage(deps.pool, deps.cache, job.id, {
    stage: "queued",
    status: "started",
    progress: 0,
    result: null,
  });
  return { jobId: job.id, status: JobStatus.QUEUED };
}

function watchResponse(jobId: string, event: store.EventRow): WatchScanResponse {
  return {
    $typeName: "eco2.scan.v1.WatchScanResponse",
    eventId: String(event.seq),
    jobId,
    stage: event.stage,
    status: event.status,
    seq: event.seq,
    progress: event.progress ?? -1,
    resultJson:
      event.result === null || event.result === undefined ? "" : JSON.stringify(event.result),
    ts: timestampFromDate(event.recorded_at),
    traceparent: "",
  };
}

/** scanHandlers implement ScanService on the `scan` schema. */
export function scanHandlers(deps: ScanDependencies): Partial<ServiceImpl<typeof ScanService>> {
  return {
    submitScan: (request) => submit(deps, request),

    async getScanResult({ jobId }) {
      const job = await ownJob(deps.pool, jobId);
      const body = job.result as ScanBody | null;
      return {
        jobId: job.id,
        status: STATUS[job.status],
        currentStage: job.current_stage ?? "",
        progress: job.progress ?? 0,
        pipelineResult: pipelineOf(body),
        reward: rewardOf(body),
        error: job.error ?? undefined,
        createdAt: timestampFromDate(job.created_at),
      };
    },

    listCategories() {
      return { categories: CATEGORIES.map((c) => ({ ...c, instructions: [...c.instructions] })) };
    },

    listSupportedModels() {
      return { models: [...SUPPORTED_MODELS], defaultModel: DEFAULT_MODEL };
    },

    async *watchScan({ jobId, lastEventId }, context: HandlerContext) {
      await ownJob(deps.pool, jobId);
      const after = /^\d+$/.test(lastEventId) ? Number(lastEventId) : -1;
      for await (const event of watchEvents(deps.pool, deps.cache, jobId, after, context.signal)) {
        yield watchResponse(jobId, event);
      }
    },

    async recordStage(request) {
      if (!isStage(request.stage) || !["started", "completed", "failed"].includes(request.status)) {
        throw domainError(
          Code.InvalidArgument,
          "INVALID_STAGE",
          `unknown stage ${request.stage}/${request.status}`,
        );
      }
      if (!(await store.job(deps.pool, request.jobId))) throw resultNotFound();
      const recorded = await recordStage(deps.pool, deps.cache, request.jobId, {
        stage: request.stage,
        status: request.status as StageStatus,
        progress: request.progress < 0 ? null : request.progress,
        result: request.resultJson ? JSON.parse(request.resultJson) : null,
        error: request.error
          ? { code: request.error.code, message: request.error.message }
          : undefined,
      });
      return { recorded };
    },
  };
}
