import { Code } from "@connectrpc/connect";
import sharp, { type Metadata } from "sharp";
import { domainError } from "../../lib/rpc/index.ts";

/** The image types we take, by content type, with sharp's name for each format. */
export const IMAGE_FORMATS = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
} as const;
export type ImageType = keyof typeof IMAGE_FORMATS;

/** Largest upload accepted (CONTRACT §A.11). */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Largest image accepted, in pixels, judged from the header before anything is decoded. */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** The thumbnail fits in a square of this many pixels a side. */
export const THUMBNAIL_SIZE = 320;

// libvips' operation cache keeps decoded images around between calls; a worker that sees each image
// once gains nothing from it and would hold memory for nothing.
sharp.cache(false);

export const unsupportedType = (message: string) =>
  domainError(Code.InvalidArgument, "UNSUPPORTED_MEDIA_TYPE", message);
export const tooLarge = (message: string) =>
  domainError(Code.InvalidArgument, "IMAGE_TOO_LARGE", message);

/** isImageType says whether a declared content type is one we take. */
export function isImageType(contentType: string): contentType is ImageType {
  return Object.hasOwn(IMAGE_FORMATS, contentType);
}

/** sniffImageType names the image type the bytes start with, whatever was declared. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  const startsWith = (signature: readonly number[], at = 0) =>
    signature.every((byte, i) => bytes[at + i] === byte);
  if (startsWith([0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  // RIFF....WEBP
  if (startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8)) {
    return "image/webp";
  }
  return undefined;
}

export interface ProcessedImage {
  readonly contentType: ImageType;
  readonly image: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly thumbnail: Uint8Array;
}

/**
 * checkImage refuses what we must not decode: a body over the byte limit, a type other than the
 * declared one (sniffed from the bytes), and more pixels than the limit, judged from the header
 * alone, so a decompression bomb is refused before any pixel memory is allocated.
 */
export async function checkImage(input: Uint8Array, declared: string): Promise<ImageType> {
  if (input.byteLength > MAX_IMAGE_BYTES) {
    throw tooLarge(`the image is over ${MAX_IMAGE_BYTES} bytes`);
  }
  const sniffed = sniffImageType(input);
  if (!sniffed) throw unsupportedType("the file is not a JPEG, PNG or WebP image");
  if (sniffed !== declared) {
    throw unsupportedType(`the upload was declared ${declared} but is ${sniffed}`);
  }
  let header: Metadata;
  try {
    // metadata() parses the header only; no pixels are decoded.
    header = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw unsupportedType(`the ${sniffed} image cannot be read`);
  }
  if (header.format !== IMAGE_FORMATS[sniffed]) {
    throw unsupportedType(`the upload was declared ${declared} but is ${header.format}`);
  }
  const pixels = (header.width ?? 0) * (header.height ?? 0);
  if (pixels > MAX_IMAGE_PIXELS) {
    throw tooLarge(`the image has ${pixels} pixels, over the limit of ${MAX_IMAGE_PIXELS}`);
  }
  if (pixels === 0) throw unsupportedType("the image has no pixels");
  return sniffed;
}

/**
 * processImage checks the upload (checkImage), then re-encodes it in its own format, upright and
 * without metadata (sharp writes no EXIF, GPS, XMP or IPTC unless asked), and makes a thumbnail.
 * The same input always gives the same output.
 */
export async function processImage(input: Uint8Array, declared: string): Promise<ProcessedImage> {
  const contentType = await checkImage(input, declared);
  const format = IMAGE_FORMATS[contentType];
  // The pixel limit again, as a second fence should a header lie about its size.
  const decode = () => sharp(input, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: "error" });
  try {
    // rotate() with no angle applies the EXIF orientation before the EXIF is dropped.
    const image = await decode().rotate().toFormat(format).toBuffer({ resolveWithObject: true });
    const thumbnail = await decode()
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "inside", withoutEnlargement: true })
      .toFormat(format)
      .toBuffer();
    return {
      contentType,
      image: new Uint8Array(image.data),
      width: image.info.width,
      height: image.info.height,
      thumbnail: new Uint8Array(thumbnail),
    };
  } catch (err) {
    if (err instanceof Error && /pixel limit/i.test(err.message)) {
      throw tooLarge("the image is over the pixel limit");
    }
    throw unsupportedType(`the ${contentType} image cannot be decoded`);
  }
}
