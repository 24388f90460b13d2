/**
 * `npm run bench -- vision`: the embedded vision stage on the photo shipped in @vladmandic/human.
 * Measures the model's load (first load in this process: weights from disk onto TF.js WASM), then
 * RUNS sequential detections (BENCH_VISION_RUNS, default 10) after one warm-up, split into decode
 * and letterbox (sharp), the forward pass, and head decoding + NMS. Inferences are serialized by
 * design, so one-at-a-time latency is the figure that matters. Writes `bench/results/vision.md`.
 */
import { cpus, loadavg } from "node:os";
import { detectObjects } from "../../workers/ai/vision/detect-objects.ts";
import { loadCenternet } from "../../workers/ai/vision/load-centernet.ts";
import { samplePhoto } from "../../workers/ai/vision/sample-photo.ts";
import { fmt, machineNote, markdownTable, percentile, writeResult } from "./table.ts";

const RUNS = Number(process.env.BENCH_VISION_RUNS ?? 10);

export async function run(): Promise<string> {
  const model = await loadCenternet();
  const photo = await samplePhoto();
  await detectObjects(model, photo);
  const samples = {
    prepareMs: [] as number[],
    inferenceMs: [] as number[],
    decodeMs: [] as number[],
  };
  const totals: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { timings } = await detectObjects(model, photo);
    samples.prepareMs.push(timings.prepareMs);
    samples.inferenceMs.push(timings.inferenceMs);
    samples.decodeMs.push(timings.decodeMs);
    totals.push(timings.prepareMs + timings.inferenceMs + timings.decodeMs);
  }
  const row = (name: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return [
      name,
      fmt.ms(percentile(sorted, 50)),
      fmt.ms(percentile(sorted, 90)),
      fmt.ms(sorted[0]!),
    ];
  };
  const markdown = [
    "# Embedded vision (CenterNet 512×512, TF.js 4.22 WASM)",
    "",
    machineNote(),
    `Load average at the end: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(", ")} on ${cpus().length} cores.`,
    "",
    `Model load (disk → WASM backend, first in process): ${fmt.ms(model.loadMs)}. ${RUNS} runs on samples.jpg (1280 px wide):`,
    "",
    markdownTable(
      ["step", "p50", "p90", "min"],
      [
        row("decode + letterbox (sharp)", samples.prepareMs),
        row("forward pass (WASM)", samples.inferenceMs),
        row("head decoding + NMS", samples.decodeMs),
        row("total per image", totals),
      ],
    ),
  ].join("\n");
  writeResult("vision", markdown);
  return markdown;
}
