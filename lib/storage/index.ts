export { assertObjectKey } from "./assert-object-key.ts";
export {
  createLocalObjectStore,
  type LocalObjectStoreOptions,
} from "./create-local-object-store.ts";
export { createS3ObjectStore, type S3ObjectStoreOptions } from "./create-s3-object-store.ts";
export { InvalidObjectKeyError, isInvalidObjectKeyError } from "./errors.ts";
export { handleMediaRequest, type MediaHandlerOptions } from "./handle-media-request.ts";
export type {
  ObjectInfo,
  ObjectStore,
  PresignGetOptions,
  PresignPutOptions,
  PutObjectOptions,
  StoredObject,
} from "./object-store.ts";
export { type OpenObjectStoreOptions, openObjectStore } from "./open-object-store.ts";
export {
  type SignedMethod,
  type SignUrlOptions,
  signUrl,
  type VerifySignedUrlOptions,
  type VerifySignedUrlResult,
  verifySignedUrl,
} from "./signed-url.ts";
