import type { Logger } from "../../../lib/log/index.ts";
import type { EmbeddedVisionOptions } from "./embedded-vision.ts";
import { createOpenAiVision } from "./openai-vision.ts";
import { createThreadedVision } from "./threaded-vision.ts";
import type { VisionPort } from "./vision-port.ts";

/** The ai worker's settings that choose the vision implementation (catalog/components.ts). */
export interface VisionSettings {
  /** An OpenAI-compatible API root (OpenAI's when unset). */
  readonly OPENAI_BASE_URL?: string;
  /** Turns the provider on; keyless local servers (Ollama, vLLM) take any placeholder key. */
  readonly OPENAI_API_KEY?: string;
  /** The provider's default model (S1 may name another per scan). */
  readonly OPENAI_MODEL: string;
}

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

export interface CreateVisionOptions {
  /** Thresholds of the embedded detector. */
  readonly embedded?: Partial<EmbeddedVisionOptions>;
  /** Deadline of one provider request (30 000 ms). */
  readonly providerTimeoutMs?: number;
}

/**
 * createVision picks the vision implementation from configuration: the OpenAI-compatible provider
 * when an API key is set, at OPENAI_BASE_URL or OpenAI's own, else the embedded COCO detector, which
 * needs nothing from outside. The key decides, not the URL: the Kubernetes ConfigMap always carries
 * OpenAI's base URL while the key is an optional Secret (catalog OPTIONAL_SECRETS), and a worker
 * without it must still classify. It logs one line saying which.
 */
export function createVision(
  settings: VisionSettings,
  log: Logger,
  options: CreateVisionOptions = {},
): VisionPort {
  if (settings.OPENAI_API_KEY) {
    const baseUrl = settings.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL;
    log.info({ baseUrl, model: settings.OPENAI_MODEL }, "vision: OpenAI-compatible provider");
    return createOpenAiVision(log, {
      baseUrl,
      apiKey: settings.OPENAI_API_KEY,
      model: settings.OPENAI_MODEL,
      ...(options.providerTimeoutMs ? { timeoutMs: options.providerTimeoutMs } : {}),
    });
  }
  log.info("vision: embedded COCO detector on its own thread (OPENAI_API_KEY unset)");
  return createThreadedVision(log, options.embedded);
}
