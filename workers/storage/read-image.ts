import { Code } from "@connectrpc/connect";
import type pg from "pg";
import sharp from "sharp";
import { domainError } from "../../lib/rpc/index.ts";
import type { ObjectStore } from "../../lib/storage/object-store.ts";
import { findUploadByKey } from "./store.ts";

const DEFAULT_MAX_SIDE = 1280;
const LARGEST_MAX_SIDE = 2048;

/**
 * readImage serves a processed image for analysis, scaled down to fit `maxSide` and re-encoded as
 * JPEG, so even a 40-megapixel upload travels in one small message. Unprocessed uploads are not
 * served: nothing unchecked leaves the worker.
 */
export async function readImage(
  pool: pg.Pool,
  objects: ObjectStore,
  request: { key: string; maxSide: number },
): Promise<{ image: Uint8Array; contentType: string; width: number; height: number }> {
  const upload = await findUploadByKey(pool, request.key);
  if (upload?.state !== "processed") {
    throw domainError(Code.NotFound, "IMAGE_NOT_FOUND", "no processed image with that key");
  }
  const stored = await objects.getObject(request.key);
  if (!stored) throw domainError(Code.NotFound, "IMAGE_NOT_FOUND", "the processed image is gone");
  const side = Math.min(request.maxSide > 0 ? request.maxSide : DEFAULT_MAX_SIDE, LARGEST_MAX_SIDE);
  const { data, info } = await sharp(stored.body)
    .rotate()
    .resize({ width: side, height: side, fit: "inside", withoutEnlargement: true })
    .jpeg({ quality: 90 })
    .toBuffer({ resolveWithObject: true });
  return {
    image: new Uint8Array(data),
    contentType: "image/jpeg",
    width: info.width,
    height: info.height,
  };
}
