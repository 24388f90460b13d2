import { describe, expect, it } from "bun:test";
import sharp from "sharp";
import { prepareImage } from "./prepare-image.ts";

/** A solid red width×height JPEG, optionally tagged with an EXIF orientation. */
async function redJpeg(width: number, height: number, orientation?: number): Promise<Uint8Array> {
  const image = sharp({
    create: { width, height, channels: 3, background: { r: 255, g: 0, b: 0 } },
  });
  return (orientation ? image.withMetadata({ orientation }) : image).jpeg().toBuffer();
}

const pixel = (pixels: Float32Array, size: number, x: number, y: number) =>
  Array.from(pixels.subarray((y * size + x) * 3, (y * size + x) * 3 + 3)).map(Math.round);

describe("prepareImage", () => {
  it("letterboxes top-left into a square of raw 0..255 RGB and reports the scale back", async () => {
    const prepared = await prepareImage(await redJpeg(200, 100), 64);
    expect(prepared).toMatchObject({ width: 200, height: 100, scale: 200 / 64 });
    expect(prepared.pixels).toHaveLength(64 * 64 * 3);
    const [r, g, b] = pixel(prepared.pixels, 64, 10, 10);
    expect(r).toBeGreaterThan(240);
    expect(g! + b!).toBeLessThan(20);
    expect(pixel(prepared.pixels, 64, 10, 50)).toEqual([0, 0, 0]); // padding below the photo
  });

  it("applies the EXIF orientation first, so boxes land on the photo as the user sees it", async () => {
    const prepared = await prepareImage(await redJpeg(200, 100, 6), 64);
    expect(prepared).toMatchObject({ width: 100, height: 200, scale: 200 / 64 });
    expect(pixel(prepared.pixels, 64, 50, 10)).toEqual([0, 0, 0]); // padding right of the photo
  });

  it("rejects bytes that are not an image, and images of other formats, as bad_image", async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>';
    const gif = await sharp(await redJpeg(8, 8))
      .gif()
      .toBuffer();
    for (const bytes of [
      new TextEncoder().encode("not an image"),
      new TextEncoder().encode(svg),
      gif,
    ]) {
      await expect(prepareImage(bytes, 64)).rejects.toMatchObject({
        name: "VisionError",
        code: "bad_image",
      });
    }
  });
});
