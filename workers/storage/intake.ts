import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import type pg from "pg";
import { domainError } from "../../lib/rpc/index.ts";
import type { ObjectStore } from "../../lib/storage/object-store.ts";
import type { ImageUrls } from "./image-urls.ts";
import { limitConcurrency } from "./limit-concurrency.ts";
import {
  isImageType,
  MAX_IMAGE_BYTES,
  processImage,
  tooLarge,
  unsupportedType,
} from "./process-image.ts";
import * as store from "./store.ts";

/** The channels an upload may belong to (CONTRACT I1). */
export const CHANNELS = ["chat", "scan", "my"] as const;
/** How long an upload URL stays valid (CONTRACT I1: 900 s). */
export const UPLOAD_URL_SECONDS = 900;

// Where the pieces of one upload live. The client PUTs under `incoming/`, which no URL we hand
// out serves; the processed image takes the key itself, so `cdn_url` only ever shows a checked,
// stripped image; the thumbnail sits beside it under `thumbs/`.
export const rawKeyOf = (key: string) => `incoming/${key}`;
export const thumbnailKeyOf = (key: string) => `thumbs/${key}`;

/**
 * Images processed at once by one worker. Measured with sharp 0.35: one 40-megapixel JPEG takes
 * ~245 MB of RSS while processed, four at once ~490 MB; two fit the pod's memory limit.
 */
export const PROCESSING_CONCURRENCY = 2;

export const imageNotFound = () =>
  domainError(Code.NotFound, "IMAGE_NOT_FOUND", "no such image of yours");

export interface NewUploadRequest {
  readonly channel: string;
  readonly filename: string;
  readonly contentType: string;
  readonly metadata: Record<string, unknown>;
}

export interface IssuedUpload {
  readonly key: string;
  readonly uploadUrl: string;
  readonly cdnUrl: string;
  readonly expiresIn: number;
  readonly requiredHeaders: Record<string, string>;
}

export interface ImageIntake {
  /** issue records a new upload of the caller and signs the URL it is PUT to. */
  issue(uploaderId: string, request: NewUploadRequest): Promise<IssuedUpload>;
  /** find reads the caller's upload; someone else's reads as absent. */
  find(key: string, uploaderId: string): Promise<store.UploadRow | undefined>;
  /** findStored reads the upload a stored object (`incoming/<key>`) belongs to, whoever made it. */
  findStored(storedKey: string): Promise<store.UploadRow | undefined>;
  /** discardStored removes an original that arrived after its upload was processed. */
  discardStored(storedKey: string): Promise<void>;
  /** process verifies and processes the upload once; later calls return the first result. */
  process(upload: store.UploadRow): Promise<store.UploadRow>;
}

export interface ImageIntakeOptions {
  readonly pool: pg.Pool;
  readonly objects: ObjectStore;
  readonly urls: ImageUrls;
}

/** createImageIntake is the storage worker's domain: uploads from URL to processed image. */
export function createImageIntake({ pool, objects, urls }: ImageIntakeOptions): ImageIntake {
  const limited = limitConcurrency(PROCESSING_CONCURRENCY);
  const find = (key: string, uploaderId: string) => store.findUpload(pool, key, uploaderId);
  return {
    async issue(uploaderId, request) {
      const contentType = normalizeContentType(request.contentType);
      if (!isImageType(contentType)) {
        throw unsupportedType("content_type must be image/jpeg, image/png or image/webp");
      }
      const key = newKey(request.channel, uploaderId, request.filename);
      await store.insertUpload(pool, {
        key,
        channel: request.channel,
        uploaderId,
        filename: basename(request.filename),
        contentType,
        metadata: request.metadata,
      });
      return {
        key,
        uploadUrl: await objects.presignPut(rawKeyOf(key), {
          contentType,
          expiresInSec: UPLOAD_URL_SECONDS,
        }),
        cdnUrl: await urls.urlOf(key),
        expiresIn: UPLOAD_URL_SECONDS,
        requiredHeaders: { "Content-Type": contentType },
      };
    },
    find,
    async findStored(storedKey) {
      const prefix = rawKeyOf("");
      if (!storedKey.startsWith(prefix)) return undefined;
      return store.findUploadByKey(pool, storedKey.slice(prefix.length));
    },
    discardStored: (storedKey) => objects.deleteObject(storedKey),
    async process(upload) {
      if (upload.state === "processed") return upload;
      const raw = await readRaw(objects, upload.key);
      if (!raw) {
        // Another call may have processed it (and removed the raw upload) meanwhile.
        const again = await find(upload.key, upload.uploader_id);
        if (again?.state === "processed") return again;
        throw imageNotFound();
      }
      const out = await limited(() => processImage(raw, upload.content_type));
      await objects.putObject(upload.key, out.image, { contentType: out.contentType });
      await objects.putObject(thumbnailKeyOf(upload.key), out.thumbnail, {
        contentType: out.contentType,
      });
      const processed = await store.markProcessed(pool, upload.key, {
        contentType: out.contentType,
        width: out.width,
        height: out.height,
        sizeBytes: out.image.byteLength,
        thumbnailKey: thumbnailKeyOf(upload.key),
      });
      // The original still carries its EXIF (GPS included); nothing needs it once processed.
      await objects.deleteObject(rawKeyOf(upload.key));
      return processed;
    },
  };
}

/** readRaw reads the uploaded original, refusing one over the byte limit before downloading it. */
async function readRaw(objects: ObjectStore, key: string): Promise<Uint8Array | undefined> {
  const head = await objects.headObject(rawKeyOf(key));
  if (!head) return undefined;
  if (head.size > MAX_IMAGE_BYTES) throw tooLarge(`the image is over ${MAX_IMAGE_BYTES} bytes`);
  return (await objects.getObject(rawKeyOf(key)))?.body;
}

/** `image/JPEG; charset=x` → `image/jpeg`. */
function normalizeContentType(contentType: string): string {
  return contentType.split(";")[0]!.trim().toLowerCase();
}

function basename(filename: string): string {
  return filename.split(/[\\/]/).pop() ?? "";
}

/**
 * newKey is `{channel}/{uploader}/{uuid hex}{ext}`: the contract's `{channel}/{uuid hex}{ext}`,
 * namespaced by uploader so one user's objects can be listed and removed together.
 */
function newKey(channel: string, uploaderId: string, filename: string): string {
  const ext = /\.[A-Za-z0-9]{1,10}$/.exec(basename(filename))?.[0]?.toLowerCase() ?? ".bin";
  const owner = uploaderId.replace(/[^A-Za-z0-9_-]/g, "_");
  return `${channel}/${owner}/${randomUUID().replaceAll("-", "")}${ext}`;
}
