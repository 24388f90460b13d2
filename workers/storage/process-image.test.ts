import { describe, expect, it } from "bun:test";
import type { ConnectError } from "@connectrpc/connect";
import sharp from "sharp";
import { ERROR_CODE_METADATA } from "../../lib/rpc/domain-error.ts";
import { MAX_IMAGE_BYTES, processImage, sniffImageType, THUMBNAIL_SIZE } from "./process-image.ts";
import { hasGpsTag, hugePng, jpegImage, jpegWithGps, pngImage, webpImage } from "./test-images.ts";

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return (err as ConnectError).metadata.get(ERROR_CODE_METADATA) ?? undefined;
  }
  throw new Error("expected a refusal");
}

describe("sniffImageType", () => {
  it("names JPEG, PNG and WebP by their bytes and nothing else", async () => {
    expect(sniffImageType(await jpegImage())).toBe("image/jpeg");
    expect(sniffImageType(await pngImage())).toBe("image/png");
    expect(sniffImageType(await webpImage())).toBe("image/webp");
    expect(sniffImageType(new TextEncoder().encode("GIF89a......"))).toBeUndefined();
    expect(sniffImageType(new Uint8Array())).toBeUndefined();
  });
});

describe("processImage", () => {
  it("re-encodes each type in its own format and makes a thumbnail", async () => {
    for (const [type, make] of [
      ["image/jpeg", jpegImage],
      ["image/png", pngImage],
      ["image/webp", webpImage],
    ] as const) {
      const out = await processImage(await make(800, 600), type);
      expect(out.contentType).toBe(type);
      expect([out.width, out.height]).toEqual([800, 600]);
      expect(sniffImageType(out.image)).toBe(type);
      const thumb = await sharp(out.thumbnail).metadata();
      expect([thumb.width, thumb.height]).toEqual([THUMBNAIL_SIZE, 240]);
    }
  });

  it("strips EXIF, GPS included", async () => {
    const input = await jpegWithGps();
    expect(hasGpsTag((await sharp(input).metadata()).exif)).toBe(true);
    const out = await processImage(input, "image/jpeg");
    const meta = await sharp(out.image).metadata();
    expect(meta.exif).toBeUndefined();
    expect(hasGpsTag(meta.exif)).toBe(false);
    expect((await sharp(out.thumbnail).metadata()).exif).toBeUndefined();
  });

  it("refuses a PNG declared as JPEG, and what is no image at all, with 415's code", async () => {
    expect(await refusal(processImage(await pngImage(), "image/jpeg"))).toBe(
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expect(await refusal(processImage(new TextEncoder().encode("hello"), "image/png"))).toBe(
      "UNSUPPORTED_MEDIA_TYPE",
    );
    // The right magic bytes over a broken body.
    const broken = (await jpegImage()).subarray(0, 40);
    expect(await refusal(processImage(broken, "image/jpeg"))).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("refuses a body over 10 MB before reading it", async () => {
    const big = new Uint8Array(MAX_IMAGE_BYTES + 1);
    big.set([0xff, 0xd8, 0xff]);
    expect(await refusal(processImage(big, "image/jpeg"))).toBe("IMAGE_TOO_LARGE");
  });

  it("refuses an 80-megapixel PNG from its header, with memory staying flat", async () => {
    const bomb = await hugePng();
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 5; i++) {
      expect(await refusal(processImage(bomb, "image/png"))).toBe("IMAGE_TOO_LARGE");
    }
    const grownMb = (process.memoryUsage().rss - before) / 1024 / 1024;
    // Decoding it once would take 240 MB (10,000 × 8,000 × 3 bytes).
    expect(grownMb).toBeLessThan(20);
  });

  it("gives the same bytes for the same input (idempotent)", async () => {
    const input = await jpegWithGps();
    const [a, b] = [
      await processImage(input, "image/jpeg"),
      await processImage(input, "image/jpeg"),
    ];
    expect(Buffer.from(a.image).equals(Buffer.from(b.image))).toBe(true);
    expect(Buffer.from(a.thumbnail).equals(Buffer.from(b.thumbnail))).toBe(true);
  });
});
