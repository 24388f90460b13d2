import { beforeAll, describe, expect, it } from "bun:test";
import { createLogger } from "../../../lib/log/index.ts";
import { createEmbeddedVision } from "./embedded-vision.ts";
import { samplePhoto } from "./sample-photo.ts";
import type { VisionInput } from "./vision-port.ts";

const vision = createEmbeddedVision(createLogger({ service: "ai", level: "silent" }));
let photo: VisionInput;

beforeAll(async () => {
  await vision.warmUp();
  photo = { image: await samplePhoto(), contentType: "image/jpeg" };
});

describe("embedded vision", () => {
  it("sees people in the package's sample photo and, with no waste in it, answers 미분류", async () => {
    const result = await vision.classify(photo);
    expect(result.detections.map((d) => d.label)).toContain("person");
    expect(result).toMatchObject({
      unclassified: true,
      classification: { major: "미분류", middle: "미분류", minor: "" },
      situationTags: ["미분류_전체"],
      confidence: 0,
      source: "none",
    });
    expect(result.advice).toContain("다시 찍어");
  });

  it("takes the user's words when the photo shows no waste", async () => {
    const result = await vision.classify({ ...photo, userInput: "투명 페트병이에요" });
    expect(result).toMatchObject({
      unclassified: false,
      classification: { major: "재활용폐기물", middle: "무색페트병", minor: "" },
      source: "user_input",
      confidence: 0.9,
    });
    expect(result.situationTags).toContain("미분류_소분류");
    expect(result.detections.map((d) => d.label)).toContain("person");
    expect(result.advice).toBeUndefined();
  });

  it("reads English and single words too", async () => {
    const glass = await vision.classify({ ...photo, userInput: "this is a glass bottle" });
    expect(glass.classification).toEqual({ major: "재활용폐기물", middle: "유리병", minor: "" });
    const battery = await vision.classify({ ...photo, userInput: "건전지" });
    expect(battery.classification).toEqual({ major: "재활용폐기물", middle: "전지", minor: "" });
  });

  it("stays 미분류 when the words name no place", async () => {
    const result = await vision.classify({ ...photo, userInput: "이거 어떻게 버려요?" });
    expect(result.unclassified).toBe(true);
  });

  it("refuses a type the storage worker does not accept", async () => {
    await expect(vision.classify({ ...photo, contentType: "image/gif" })).rejects.toMatchObject({
      name: "VisionError",
      code: "bad_image",
      transient: false,
    });
  });
});
