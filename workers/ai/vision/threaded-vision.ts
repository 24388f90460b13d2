import { Worker } from "node:worker_threads";
import type { Logger } from "../../../lib/log/index.ts";
import type { EmbeddedVisionOptions } from "./embedded-vision.ts";
import { VisionError, type VisionErrorCode } from "./vision-error.ts";
import type { VisionInput, VisionPort, VisionResult } from "./vision-port.ts";

type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: VisionErrorCode; message: string } };

/**
 * createThreadedVision runs the embedded detector on a worker thread and hands it one photo at a
 * time, so the process stays responsive while it thinks. A thread that dies fails what it held
 * and is replaced on the next call.
 */
export function createThreadedVision(
  log: Logger,
  options: Partial<EmbeddedVisionOptions> = {},
): VisionPort {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (err: Error) => void }
  >();

  const failAll = (err: Error) => {
    for (const { reject } of pending.values()) reject(err);
    pending.clear();
  };
  const thread = () => {
    if (worker) return worker;
    const started = new Worker(new URL("./vision-thread-entry.ts", import.meta.url), {
      workerData: { logLevel: log.level, options },
    });
    started.on("message", (reply: Reply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new VisionError(reply.error.code, reply.error.message));
    });
    started.on("error", (err: Error) => {
      log.error({ err }, "vision thread failed");
      failAll(new VisionError("model_unavailable", `the vision thread failed: ${err.message}`));
      worker = undefined;
    });
    started.on("exit", () => {
      failAll(new VisionError("model_unavailable", "the vision thread stopped"));
      worker = undefined;
    });
    started.unref();
    worker = started;
    return started;
  };
  const call = (op: "warmUp" | "classify", input?: VisionInput) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      thread().postMessage({ id, op, input });
    });

  return {
    async warmUp() {
      await call("warmUp");
    },
    async classify(input) {
      return (await call("classify", input)) as VisionResult;
    },
    async close() {
      const stopping = worker;
      worker = undefined;
      await stopping?.terminate();
    },
  };
}
