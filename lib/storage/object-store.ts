/** What is known about a stored object without reading it. */
export interface ObjectInfo {
  readonly size: number;
  /** The content type given when it was stored; `application/octet-stream` if none was. */
  readonly contentType: string;
}

/** A stored object, read whole (images here are a few MB at most). */
export interface StoredObject extends ObjectInfo {
  readonly body: Uint8Array;
}

export interface PutObjectOptions {
  /** Default `application/octet-stream`. */
  contentType?: string;
}

export interface PresignPutOptions {
  /** The content type the uploader must send; the URL is valid for it only. */
  contentType: string;
  /** Seconds the URL stays valid. */
  expiresInSec: number;
}

export interface PresignGetOptions {
  /** Seconds the URL stays valid. */
  expiresInSec: number;
}

/**
 * ObjectStore is the port to object storage: S3-compatible in production, a local folder by
 * default. Keys are relative paths such as `scans/2026/11/<uuid>.jpg`; every method rejects an
 * unsafe key with `InvalidObjectKeyError` before touching storage (see `assertObjectKey`).
 */
export interface ObjectStore {
  readonly kind: "local" | "s3";
  /** putObject stores (or replaces) the object. */
  putObject(key: string, body: Uint8Array | string, options?: PutObjectOptions): Promise<void>;
  /** getObject reads the object, or resolves null when there is none. */
  getObject(key: string): Promise<StoredObject | null>;
  /** headObject describes the object, or resolves null when there is none. */
  headObject(key: string): Promise<ObjectInfo | null>;
  /** deleteObject removes the object; deleting a missing object succeeds (idempotent). */
  deleteObject(key: string): Promise<void>;
  /** presignPut returns a URL that accepts one HTTP PUT of the object until it expires. */
  presignPut(key: string, options: PresignPutOptions): Promise<string>;
  /** presignGet returns a URL that serves the object by HTTP GET until it expires. */
  presignGet(key: string, options: PresignGetOptions): Promise<string>;
}
