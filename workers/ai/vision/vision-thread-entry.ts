// The embedded detector in its own thread: inference is seconds of CPU-bound WASM, which would
// otherwise stop everything else on the process's event loop (health checks, RPCs, and in the
// all-in-one start the gateway itself).
import { parentPort, workerData } from "node:worker_threads";
import { createLogger } from "../../../lib/log/index.ts";
import { createEmbeddedVision } from "./embedded-vision.ts";
import { isVisionError } from "./vision-error.ts";
import type { VisionInput } from "./vision-port.ts";

interface Request {
  readonly id: number;
  readonly op: "warmUp" | "classify";
  readonly input?: VisionInput;
}

const { logLevel, options } = workerData as { logLevel: string; options: object };
const log = createLogger({ service: "ai-vision", level: logLevel as "info" });
const vision = createEmbeddedVision(log, options);

parentPort?.on("message", async (request: Request) => {
  try {
    const result =
      request.op === "warmUp" ? await vision.warmUp() : await vision.classify(request.input!);
    parentPort?.postMessage({ id: request.id, ok: true, result });
  } catch (err) {
    const error = isVisionError(err)
      ? { code: err.code, message: err.message }
      : { code: "model_unavailable", message: err instanceof Error ? err.message : String(err) };
    parentPort?.postMessage({ id: request.id, ok: false, error });
  }
});
