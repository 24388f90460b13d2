// C6, C7 and the job calls: SendMessage, SubmitInput, GetJob, WatchJob (gateway); RecordEvents,
// AwaitInput (ai worker).
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  ChatEventSchema,
  type ChatService,
  type SendMessageRequest,
  type WatchJobResponse,
} from "../../gen/eco2/chat/v1/chat_pb.ts";
import { ChatMessageRequestedSchema } from "../../gen/eco2/events/v1/events_pb.ts";
import type { ImageService } from "../../gen/eco2/storage/v1/storage_pb.ts";
import { enqueueEvent } from "../../lib/bus/enqueue-event.ts";
import { withTransaction } from "../../lib/db/with-transaction.ts";
import type { Logger } from "../../lib/log/create-logger.ts";
import { domainError, type RpcClient, requireUserId } from "../../lib/rpc/index.ts";
import { ownChat } from "./conversation-handlers.ts";
import { awaitInput, checkInput, submitInput } from "./input.ts";
import { appendEvents, toEntries } from "./job-events.ts";
import * as jobs from "./jobs-store.ts";
import { type EventStore, recordEvents } from "./record-events.ts";
import { resumeOf, watchJob } from "./watch-job.ts";

export interface JobDependencies extends EventStore {
  readonly images: RpcClient<typeof ImageService>;
  readonly log: Logger;
}

export const CHAT_MESSAGE_REQUESTED = "chat.message_requested";
/** Longest message accepted, in characters: far beyond a chat turn, far below a hostile body. */
export const MAX_MESSAGE_CHARS = 4000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const jobNotFound = () => domainError(Code.NotFound, "JOB_NOT_FOUND", "no such chat job");

async function anyJob(deps: EventStore, jobId: string): Promise<jobs.JobRow> {
  const job = UUID.test(jobId) ? await jobs.job(deps.pool, jobId) : undefined;
  if (!job) throw jobNotFound();
  return job;
}

/** ownJob reads a job of the caller's; anyone else's is as absent as a missing one (404). */
async function ownJob(deps: EventStore, jobId: string): Promise<jobs.JobRow> {
  const userId = requireUserId();
  const job = await anyJob(deps, jobId);
  if (job.user_id !== userId) throw jobNotFound();
  return job;
}

function checkMessage(request: SendMessageRequest): string {
  const message = request.message.trim();
  if (!message) throw domainError(Code.InvalidArgument, "MESSAGE_REQUIRED", "message is required");
  if ([...message].length > MAX_MESSAGE_CHARS) {
    throw domainError(
      Code.InvalidArgument,
      "MESSAGE_TOO_LONG",
      `message is longer than ${MAX_MESSAGE_CHARS} characters`,
    );
  }
  const point = request.userLocation;
  if (point && (Math.abs(point.latitude) > 90 || Math.abs(point.longitude) > 180)) {
    throw domainError(Code.InvalidArgument, "INVALID_LOCATION", "user_location is out of range");
  }
  return message;
}

const queued = create(ChatEventSchema, {
  stage: "queued",
  status: "started",
  seq: 0,
  progress: 0,
  message: "작업이 시작되었습니다...",
});

/**
 * sendMessage queues an answer job: the chat must be the caller's, and an image ours (checked and
 * processed by storage.UseImage, as a scan's: foreign 400, someone else's 404, …). The job row
 * and chat.message_requested commit together, so the worker hears of the job exactly when it
 * exists. `queued started` is recorded first, so it precedes whatever the worker records.
 */
async function sendMessage(deps: JobDependencies, request: SendMessageRequest) {
  const userId = requireUserId();
  const message = checkMessage(request);
  const chat = await ownChat(deps.pool, request.chatId);
  const image = request.imageUrl
    ? await deps.images.useImage({ url: request.imageUrl })
    : undefined;
  const jobId = randomUUID();
  await appendEvents(deps.cache, jobId, toEntries(jobId, [queued]), deps.eventsTtlMs).catch((err) =>
    deps.log.warn({ err, job_id: jobId }, "could not record queued; the job goes on"),
  );
  await withTransaction(deps.pool, async (tx) => {
    const imageUrl = request.imageUrl || null;
    await jobs.insertJob(tx, { id: jobId, chatId: chat.id, userId, message, imageUrl });
    await enqueueEvent(tx, {
      schema: "chat",
      routingKey: CHAT_MESSAGE_REQUESTED,
      schemaDesc: ChatMessageRequestedSchema,
      event: {
        jobId,
        chatId: chat.id,
        userId,
        message,
        imageUrl: request.imageUrl,
        userLocation: request.userLocation,
        model: request.model,
        requestedAt: timestampFromMs(Date.now()),
        imageKey: image?.key ?? "",
        imageContentType: image?.contentType ?? "",
      },
    });
  });
  return { jobId, status: "submitted" };
}

const STATUS_ANSWER: Record<jobs.JobStatus, string> = {
  queued: "queued",
  processing: "processing",
  completed: "completed",
  failed: "failed",
};

export function jobHandlers(deps: JobDependencies): Partial<ServiceImpl<typeof ChatService>> {
  return {
    sendMessage: (request) => sendMessage(deps, request),

    async submitInput({ jobId, type, data }) {
      const job = await ownJob(deps, jobId);
      const input = checkInput(type, data);
      if (jobs.isFinished(job.status)) {
        throw domainError(Code.FailedPrecondition, "JOB_FINISHED", "the job has already ended");
      }
      await submitInput(deps.cache, job.id, input, deps.eventsTtlMs);
      return { status: "received", jobId: job.id };
    },

    async getJob({ jobId }) {
      const job = await ownJob(deps, jobId);
      return { jobId: job.id, chatId: job.chat_id, status: STATUS_ANSWER[job.status] };
    },

    async *watchJob({ jobId, lastEventId, lastTokenSeq, catchUp }, context: HandlerContext) {
      const job = await ownJob(deps, jobId);
      const resume = resumeOf(lastEventId, lastTokenSeq);
      const watching = { ...deps, job, resume, catchUp, signal: context.signal };
      for await (const event of watchJob(watching)) {
        yield { $typeName: "eco2.chat.v1.WatchJobResponse", ...event } satisfies WatchJobResponse;
      }
    },

    async recordEvents({ jobId, events }) {
      const job = await anyJob(deps, jobId);
      return { recorded: await recordEvents(deps, job, events) };
    },

    async awaitInput({ jobId, waitMs }, context: HandlerContext) {
      const job = await anyJob(deps, jobId);
      // Waiting for the user is the job's sign of life: the sweeper counts idleness from here.
      await jobs.advanceJob(deps.pool, job.id, "processing");
      const input = await awaitInput(deps.cache, job.id, waitMs, context.signal);
      if (!input) return { received: false, type: "" };
      return { received: true, type: input.type, data: input.data };
    },
  };
}
