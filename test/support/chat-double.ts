// An in-test ChatService (and a scan job) served over real gRPC, for the gateway's unit tests of
// chat streaming: the gateway's side is real, the chat service's behaviour is scripted here.
// Every job streams: queued, intent, answer started, `tokens` tokens naming the job's chat (so a
// crossed stream shows), answer completed, done. Event ids are Redis-like stream ids.

import { randomUUID } from "node:crypto";
import { Code, type HandlerContext } from "@connectrpc/connect";
import { ChatService } from "../../gen/eco2/chat/v1/chat_pb.ts";
import { JobStatus, ScanService } from "../../gen/eco2/scan/v1/scan_pb.ts";
import { Readiness } from "../../lib/health/index.ts";
import {
  createRpcServer,
  defineService,
  domainError,
  type RpcServer,
} from "../../lib/rpc/index.ts";
import { silentLog } from "./silent-log.ts";

export const CHAT_A = "4b6f2a52-8d0e-4a47-9a59-1c2d3e4f5a6b";
export const CHAT_B = "0c9d9a57-3b7e-4c1e-9b9f-2f7b3c6d8e10";
export const SCAN_JOB = "scan-job-0001";
export const FOREIGN_IMAGE = "https://evil.example/cat.png";

interface Job {
  readonly id: string;
  readonly chatId: string;
  readonly userId: string;
  readonly message: string;
}

export interface ChatDoubleOptions {
  /** Tokens per answer. Default 5. */
  tokens?: number;
  /** Pause before each event, in ms. Default 5. */
  intervalMs?: number;
  /** Filler appended to each token's content (to fill flow-control windows). Default 0. */
  tokenPadding?: number;
  /** Chats each user owns; default: user-1 owns CHAT_A and CHAT_B. */
  owners?: Record<string, string>;
}

export interface ChatDouble {
  readonly server: RpcServer;
  readonly jobs: Map<string, Job>;
  /** WatchJob requests as received. */
  readonly watches: { jobId: string; lastEventId: string; lastTokenSeq: number }[];
  /** Events each job's WatchJob has yielded so far (pushed as sent). */
  readonly sent: Map<string, number>;
  /** Open WatchJob streams (cancelled ones close). */
  openStreams(): number;
  stop(): void;
}

function eventsOf(job: Job, tokens: number, padding: number) {
  const base = 1_700_000_000_000;
  const entries: { event: string; data: Record<string, unknown> }[] = [
    { event: "queued", data: { stage: "queued", status: "started", seq: 0, progress: 0 } },
    { event: "intent", data: { stage: "intent", status: "completed", seq: 11, progress: 15 } },
    { event: "answer", data: { stage: "answer", status: "started", seq: 160, progress: 75 } },
  ];
  for (let i = 0; i < tokens; i++) {
    entries.push({
      event: "token",
      data: {
        stage: "token",
        status: "streaming",
        seq: 1001 + i,
        content: `[${job.chatId.slice(0, 4)}:${i}]${".".repeat(padding)}`,
        node: "answer",
      },
    });
  }
  entries.push(
    { event: "answer", data: { stage: "answer", status: "completed", seq: 161, progress: 90 } },
    {
      event: "done",
      data: {
        stage: "done",
        status: "completed",
        seq: 181,
        progress: 100,
        result: { answer: "ok" },
      },
    },
  );
  return entries.map((entry, i) => {
    const id = `${base + i}-0`;
    return { id, event: entry.event, data: { job_id: job.id, ...entry.data, stream_id: id } };
  });
}

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startChatDouble(options: ChatDoubleOptions = {}): Promise<ChatDouble> {
  const tokens = options.tokens ?? 5;
  const intervalMs = options.intervalMs ?? 5;
  const owners = options.owners ?? { [CHAT_A]: "user-1", [CHAT_B]: "user-1" };
  const jobs = new Map<string, Job>();
  const watches: ChatDouble["watches"] = [];
  const sent = new Map<string, number>();
  let open = 0;
  const userOf = (ctx: HandlerContext) => ctx.requestHeader.get("x-user-id") ?? "";
  const ownJob = (jobId: string, ctx: HandlerContext) => {
    const job = jobs.get(jobId);
    if (!job || job.userId !== userOf(ctx)) {
      throw domainError(Code.NotFound, "JOB_NOT_FOUND", "job not found");
    }
    return job;
  };
  const chat = defineService(ChatService, {
    sendMessage(request, ctx) {
      if (owners[request.chatId] !== userOf(ctx)) {
        throw domainError(Code.NotFound, "CHAT_NOT_FOUND", "chat not found");
      }
      if (request.imageUrl === FOREIGN_IMAGE) {
        throw domainError(Code.InvalidArgument, "INVALID_IMAGE_URL", "image_url is not ours");
      }
      const job = {
        id: randomUUID(),
        chatId: request.chatId,
        userId: userOf(ctx),
        message: request.message,
      };
      jobs.set(job.id, job);
      return { jobId: job.id, status: "submitted" };
    },
    getJob(request, ctx) {
      const job = ownJob(request.jobId, ctx);
      return { jobId: job.id, chatId: job.chatId, status: "processing" };
    },
    async *watchJob(request, ctx) {
      const job = ownJob(request.jobId, ctx);
      watches.push({ ...request });
      open++;
      try {
        let events = eventsOf(job, tokens, options.tokenPadding ?? 0);
        if (request.lastEventId) events = events.filter((e) => e.id > request.lastEventId);
        for (const event of events) {
          await sleep(intervalMs, ctx.signal);
          if (ctx.signal.aborted) return;
          sent.set(job.id, (sent.get(job.id) ?? 0) + 1);
          yield { eventId: event.id, event: event.event, dataJson: JSON.stringify(event.data) };
        }
      } finally {
        open--;
      }
    },
  });
  const scan = defineService(ScanService, {
    getScanResult(request, ctx) {
      if (request.jobId !== SCAN_JOB || userOf(ctx) !== "user-1") {
        throw domainError(Code.NotFound, "JOB_NOT_FOUND", "job not found");
      }
      return { jobId: SCAN_JOB, status: JobStatus.PROCESSING };
    },
    async *watchScan(request) {
      yield {
        jobId: request.jobId,
        stage: "queued",
        status: "started",
        seq: 0,
        progress: 0,
        eventId: "1-0",
      };
      yield {
        jobId: request.jobId,
        stage: "done",
        status: "completed",
        seq: 51,
        progress: -1,
        eventId: "2-0",
      };
    },
  });
  const server = createRpcServer({
    port: 0,
    services: [chat, scan],
    readiness: new Readiness(),
    log: silentLog,
  });
  await server.start();
  return { server, jobs, watches, sent, openStreams: () => open, stop: () => server.forceStop() };
}
