import sharp from "sharp";
import { VisionError } from "./vision-error.ts";

/** The pixels fed to the detector and how to map its boxes back onto the photo. */
export interface PreparedImage {
  /** size × size × 3 RGB values in 0..255, row-major (NHWC without the batch). */
  readonly pixels: Float32Array;
  /** Photo pixels per model-input pixel. */
  readonly scale: number;
  /** The photo's size after EXIF orientation. */
  readonly width: number;
  readonly height: number;
}

/** The storage worker refuses larger uploads (CONTRACT §A.6); this is a second guard, not the check. */
const MAX_INPUT_PIXELS = 40_000_000;
const DECODABLE: ReadonlySet<string> = new Set(["jpeg", "png", "webp"]);

/**
 * prepareImage decodes a JPEG/PNG/WebP, applies its EXIF orientation and letterboxes it into a
 * size × size square anchored top-left, so one scale factor maps boxes back and nothing is
 * stretched (the detector was trained on undistorted objects). The model takes raw 0..255 values:
 * its first convolution has the normalisation folded in (checked on the package's sample photo).
 */
export async function prepareImage(image: Uint8Array, size: number): Promise<PreparedImage> {
  try {
    const source = sharp(image, { autoOrient: true, limitInputPixels: MAX_INPUT_PIXELS });
    const { autoOrient, format } = await source.metadata();
    // sharp also reads SVG, TIFF, GIF, HEIF…; only the formats the storage worker accepts get decoded.
    if (!DECODABLE.has(format)) throw new Error(`not a JPEG, PNG or WebP image: ${format}`);
    const { width, height } = autoOrient;
    const { data } = await source
      .resize(size, size, {
        fit: "contain",
        position: "left top",
        background: { r: 0, g: 0, b: 0 },
      })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    // The typed-array constructor converts in native code; Float32Array.from runs a JS callback per byte.
    return { pixels: new Float32Array(data), scale: Math.max(width, height) / size, width, height };
  } catch (error) {
    throw new VisionError("bad_image", "the image could not be decoded", { cause: error });
  }
}
