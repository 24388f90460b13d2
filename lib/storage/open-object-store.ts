import type { Logger } from "../log/create-logger.ts";
import {
  createLocalObjectStore,
  type LocalObjectStoreOptions,
} from "./create-local-object-store.ts";
import { createS3ObjectStore, type S3ObjectStoreOptions } from "./create-s3-object-store.ts";
import type { ObjectStore } from "./object-store.ts";

export interface OpenObjectStoreOptions {
  /** S3 settings; unset = the local folder. */
  s3?: S3ObjectStoreOptions;
  /** The local folder store, used when `s3` is unset. */
  local: LocalObjectStoreOptions;
  log: Logger;
}

/** openObjectStore gives the process its object store: S3 when configured, else the local folder. */
export function openObjectStore(options: OpenObjectStoreOptions): ObjectStore {
  if (options.s3) {
    options.log.info(
      { storage: "s3", bucket: options.s3.bucket, endpoint: options.s3.endpoint },
      "using S3 object storage",
    );
    return createS3ObjectStore(options.s3);
  }
  options.log.info({ storage: "local", dir: options.local.dir }, "using the local object folder");
  return createLocalObjectStore(options.local);
}
