import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { assertObjectKey } from "./assert-object-key.ts";
import type { ObjectInfo, ObjectStore } from "./object-store.ts";

export interface S3ObjectStoreOptions {
  bucket: string;
  /** Default "us-east-1" (S3-compatible servers mostly ignore it, but SigV4 signs it). */
  region?: string;
  /** A non-AWS endpoint (MinIO, R2, a local stand-in), e.g. `http://127.0.0.1:9000`. */
  endpoint?: string;
  /** `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key`. Default: true when `endpoint` is set. */
  forcePathStyle?: boolean;
  /** Static credentials; unset = the SDK's default chain (env, web identity/IRSA, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Prepended to every key (e.g. `eco2/`), so one bucket can hold several environments. Default "". */
  keyPrefix?: string;
}

const DEFAULT_TYPE = "application/octet-stream";

/**
 * createS3ObjectStore is the `ObjectStore` on S3 or an S3-compatible server, via
 * `@aws-sdk/client-s3` and the presigner (SigV4 query-signed URLs). Checksums are sent only when
 * an operation requires them: the SDK's default would add a CRC32 of an empty body to presigned
 * PUT URLs, which then reject every real upload, and several S3-compatible servers refuse the
 * header.
 */
export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const { bucket } = options;
  const prefix = options.keyPrefix ?? "";
  const client = new S3Client({
    region: options.region ?? "us-east-1",
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
    credentials: options.credentials,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const keyOf = (key: string) => {
    assertObjectKey(key);
    return prefix + key;
  };

  const head = async (key: string): Promise<ObjectInfo | null> => {
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(key) }));
      return { size: out.ContentLength ?? 0, contentType: out.ContentType ?? DEFAULT_TYPE };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  };

  return {
    kind: "s3",
    async putObject(key, body, opts) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: keyOf(key),
          Body: typeof body === "string" ? Buffer.from(body) : body,
          ContentType: opts?.contentType ?? DEFAULT_TYPE,
        }),
      );
    },
    async getObject(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(key) }));
        const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
        return { body, size: body.byteLength, contentType: out.ContentType ?? DEFAULT_TYPE };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    headObject: head,
    async deleteObject(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(key) }));
    },
    async presignPut(key, opts) {
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: keyOf(key),
        ContentType: opts.contentType,
      });
      return getSignedUrl(client, command, {
        expiresIn: opts.expiresInSec,
        // The uploader must send this exact content type.
        signableHeaders: new Set(["content-type"]),
      });
    },
    async presignGet(key, opts) {
      const command = new GetObjectCommand({ Bucket: bucket, Key: keyOf(key) });
      return getSignedUrl(client, command, { expiresIn: opts.expiresInSec });
    },
  };
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
}
