import { beforeAll, describe, expect, it } from "bun:test";
import * as tf from "@tensorflow/tfjs-core";
import sharp from "sharp";
import { decodeCenternet } from "./decode-centernet.ts";
import { detectObjects } from "./detect-objects.ts";
import { type CenternetModel, loadCenternet } from "./load-centernet.ts";
import { intersectionOverUnion } from "./non-max-suppression.ts";
import { prepareImage } from "./prepare-image.ts";
import { samplePhoto } from "./sample-photo.ts";

let model: CenternetModel;
let photo: Uint8Array;

beforeAll(async () => {
  [model, photo] = await Promise.all([loadCenternet(), samplePhoto()]);
});

describe("the shipped CenterNet on TF.js WASM", () => {
  it("reads its input size and stride from the model's signature", () => {
    expect(model.inputSize).toBe(512);
    expect(model.stride).toBe(4);
  });

  it("decodes the raw heads exactly as the graph's own detections output does", async () => {
    const prepared = await prepareImage(photo, model.inputSize);
    const { heads, graphDetections } = await model.run(prepared.pixels);
    const ours = decodeCenternet(heads, {
      stride: model.stride,
      minScore: 0.1,
      maxDetections: 100,
    });
    expect(ours.length).toBeGreaterThan(5);
    ours.forEach((detection, i) => {
      const row = Array.from(graphDetections.subarray(i * 6, i * 6 + 6));
      expect(detection.classIndex).toBe(row[5]!);
      expect(detection.score).toBeCloseTo(row[4]!, 4);
      for (const [k, value] of detection.box.entries()) expect(value).toBeCloseTo(row[k]!, 3);
    });
  });

  it("finds people in the package's sample photo, with boxes inside the photo", async () => {
    const { detections } = await detectObjects(model, photo);
    const people = detections.filter((d) => d.label === "person");
    expect(people.length).toBeGreaterThanOrEqual(5);
    expect(people[0]!.score).toBeGreaterThan(0.4);
    const { width, height } = await sharp(photo).metadata();
    for (const { box } of detections) {
      expect(box[0]).toBeGreaterThanOrEqual(0);
      expect(box[1]).toBeGreaterThanOrEqual(0);
      expect(box[2]).toBeLessThanOrEqual(width);
      expect(box[3]).toBeLessThanOrEqual(height);
      expect(box[2]).toBeGreaterThan(box[0]);
      expect(box[3]).toBeGreaterThan(box[1]);
    }
  });

  it("puts a person's box in the same place of the photo when the photo is cropped around them", async () => {
    // A wrong stride, letterbox scale or edge order would move the box once the crop changes the scale.
    const { detections } = await detectObjects(model, photo);
    const person = detections.find((d) => d.label === "person" && d.box[3] - d.box[1] > 300)!;
    const [x1, y1, x2, y2] = person.box;
    const { width, height } = await sharp(photo).metadata();
    const left = Math.max(0, x1 - 60);
    const top = Math.max(0, y1 - 60);
    const region = {
      left,
      top,
      width: Math.min(width, x2 + 60) - left,
      height: Math.min(height, y2 + 60) - top,
    };
    const crop = await sharp(photo).extract(region).png().toBuffer();
    const found = (await detectObjects(model, crop)).detections.filter((d) => d.label === "person");
    const moved = found.map(
      (d) => [d.box[0] + left, d.box[1] + top, d.box[2] + left, d.box[3] + top] as const,
    );
    const best = Math.max(...moved.map((box) => intersectionOverUnion(box, person.box)));
    expect(best).toBeGreaterThan(0.6);
  });

  it("serializes concurrent inferences, frees its tensors and refuses bytes that are not an image", async () => {
    const tensorsBefore = tf.memory().numTensors;
    const [a, b] = await Promise.all([detectObjects(model, photo), detectObjects(model, photo)]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(a.detections).toEqual(b.detections);
    await expect(detectObjects(model, new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      name: "VisionError",
      code: "bad_image",
    });
  });
});
