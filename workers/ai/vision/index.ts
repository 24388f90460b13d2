// The vision stage of the scan pipeline: the port, its two implementations and the factory.
export { type CreateVisionOptions, createVision, type VisionSettings } from "./create-vision.ts";
export { createEmbeddedVision, type EmbeddedVisionOptions } from "./embedded-vision.ts";
export { createOpenAiVision, type OpenAiVisionOptions } from "./openai-vision.ts";
export { isVisionError, VisionError, type VisionErrorCode } from "./vision-error.ts";
export {
  type Classification,
  type Detection,
  UNCLASSIFIED,
  type VisionInput,
  type VisionPort,
  type VisionResult,
  type VisionSource,
} from "./vision-port.ts";
