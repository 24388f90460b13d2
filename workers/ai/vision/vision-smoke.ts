// A run of the embedded vision stage for runtimes without bun:test: `deno run -A
// workers/ai/vision/vision-smoke.ts` prints "vision ok <ms>" when the sample photo yields a person
// and 미분류, and the user's words turn it into 무색페트병. The Deno smoke test runs it.
import { createLogger } from "../../../lib/log/index.ts";
import { createEmbeddedVision } from "./embedded-vision.ts";
import { samplePhoto } from "./sample-photo.ts";

const vision = createEmbeddedVision(createLogger({ service: "ai", level: "warn" }));
const image = await samplePhoto();
const started = performance.now();
const plain = await vision.classify({ image, contentType: "image/jpeg" });
const ms = Math.round(performance.now() - started);
const told = await vision.classify({
  image,
  contentType: "image/jpeg",
  userInput: "투명 페트병이에요",
});
const ok =
  plain.unclassified &&
  plain.detections.some((d) => d.label === "person") &&
  told.classification.middle === "무색페트병";
console.log(ok ? `vision ok ${ms}` : `vision wrong ${JSON.stringify({ plain, told })}`);
process.exit(ok ? 0 : 1);
