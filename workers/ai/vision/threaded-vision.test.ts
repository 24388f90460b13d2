import { afterAll, describe, expect, it } from "bun:test";
import { silentLog } from "../../../test/support/silent-log.ts";
import { samplePhoto } from "./sample-photo.ts";
import { createThreadedVision } from "./threaded-vision.ts";

describe("the embedded detector on its own thread", () => {
  const vision = createThreadedVision(silentLog);
  afterAll(() => vision.close());

  it("classifies as the in-process detector does, while the event loop keeps running", async () => {
    await vision.warmUp();
    const photo = await samplePhoto();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    const result = await vision.classify({ image: photo, contentType: "image/jpeg" });
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(result.detections.map((d) => d.label)).toContain("person");
    expect(result.unclassified).toBe(true);
    // A blocked loop would have ticked once or twice; a free one ticks about every 5 ms.
    expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
  }, 60_000);

  it("passes a bad image's refusal through as a VisionError", async () => {
    await expect(
      vision.classify({ image: new Uint8Array([1, 2, 3]), contentType: "image/gif" }),
    ).rejects.toMatchObject({ name: "VisionError", code: "bad_image" });
  });
});
