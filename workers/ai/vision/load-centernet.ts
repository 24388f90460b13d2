import { Buffer } from "node:buffer";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { type GraphModel, loadGraphModel } from "@tensorflow/tfjs-converter";
import type { io } from "@tensorflow/tfjs-core";
import * as tf from "@tensorflow/tfjs-core";
import { locatePackageFile } from "../../../lib/files/locate-package-file.ts";
import type { CenternetHeads } from "./decode-centernet.ts";

/** What one forward pass yields: the raw heads, and the graph's own decoding for cross-checks. */
export interface CenternetOutput {
  readonly heads: CenternetHeads;
  /** [1, 100, 6] rows of x1, y1, x2, y2, score, class index in model-input pixels. */
  readonly graphDetections: Float32Array;
}

/** The loaded detector. `run` calls are serialized: one inference at a time per process. */
export interface CenternetModel {
  /** Side of the square input, read from the model's signature (512). */
  readonly inputSize: number;
  /** Input pixels per heat-map cell. */
  readonly stride: number;
  readonly loadMs: number;
  run(pixels: Float32Array): Promise<CenternetOutput>;
}

const INPUT = "tower_0/images";
const HEATMAP = "tower_0/keypoints";
const WH = "tower_0/wh";
const DETECTIONS = "tower_0/detections";

let loading: Promise<CenternetModel> | undefined;

/**
 * loadCenternet loads the COCO CenterNet shipped in @vladmandic/human from disk onto TF.js's WASM
 * backend, once per process: the backend is process-wide state, and a second copy of the weights
 * would only cost memory. A failed load is forgotten so the next call tries again.
 */
export function loadCenternet(): Promise<CenternetModel> {
  loading ??= loadOnce().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function loadOnce(): Promise<CenternetModel> {
  const started = performance.now();
  await useWasmBackend();
  const graph = await loadGraphModel(diskHandler(locatePackageFile("@vladmandic/human/models")));
  const inputSize = signatureInputSize(graph);
  const heatmapSize = signatureOutputSize(graph, HEATMAP);
  return {
    inputSize,
    stride: inputSize / heatmapSize,
    loadMs: performance.now() - started,
    run: serialize((pixels: Float32Array) => forward(graph, inputSize, pixels)),
  };
}

async function useWasmBackend(): Promise<void> {
  // The .wasm binaries ship in the package; without this the backend would try to fetch them.
  const wasmDir = path.dirname(
    locatePackageFile("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"),
  );
  setWasmPaths(`${wasmDir}${path.sep}`);
  if (!(await tf.setBackend("wasm"))) throw new Error("the TF.js WASM backend did not start");
  await tf.ready();
}

/** A TF.js IO handler that reads model.json and its one weights file from a folder. */
function diskHandler(modelDir: string): io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(path.join(modelDir, "centernet.json"), "utf8"));
      const manifest = json.weightsManifest as io.WeightsManifestConfig;
      const buffers = await Promise.all(
        manifest.flatMap((group) => group.paths).map((file) => readFile(path.join(modelDir, file))),
      );
      const weights = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        weightSpecs: manifest.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(
          weights.byteOffset,
          weights.byteOffset + weights.byteLength,
        ),
      };
    },
  };
}

type Signature = Record<string, { tensorShape?: { dim?: { size?: string }[] } }>;

function dimension(entries: Signature, name: string, index: number): number {
  const size = Number(entries[name]?.tensorShape?.dim?.[index]?.size);
  if (!Number.isInteger(size) || size <= 0)
    throw new Error(`model signature lacks ${name}[${index}]`);
  return size;
}

// TF.js types the signature as `{}`; its fields are the converter's JSON (inputs/outputs by name).
type ModelSignature = { inputs?: Signature; outputs?: Signature };

function signatureInputSize(graph: GraphModel): number {
  return dimension((graph.modelSignature as ModelSignature).inputs ?? {}, INPUT, 1);
}

function signatureOutputSize(graph: GraphModel, name: string): number {
  return dimension((graph.modelSignature as ModelSignature).outputs ?? {}, name, 1);
}

async function forward(
  graph: GraphModel,
  size: number,
  pixels: Float32Array,
): Promise<CenternetOutput> {
  const input = tf.tensor4d(pixels, [1, size, size, 3]);
  const outputs = graph.execute(input, [HEATMAP, WH, DETECTIONS]) as tf.Tensor[];
  try {
    const [heatmap, wh, detections] = await Promise.all(outputs.map((t) => t.data()));
    const [, height, width, classes] = outputs[0]!.shape as number[];
    return {
      heads: {
        heatmap: heatmap as Float32Array,
        wh: wh as Float32Array,
        height: height!,
        width: width!,
        classes: classes!,
      },
      graphDetections: detections as Float32Array,
    };
  } finally {
    tf.dispose([input, ...outputs]);
  }
}

/** serialize queues calls so only one runs at a time; a failure does not block the next. */
function serialize<A, R>(task: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return (arg) => {
    const result = tail.then(() => task(arg));
    tail = result.catch(() => undefined);
    return result;
  };
}
