import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { assertObjectKey } from "./assert-object-key.ts";
import { InvalidObjectKeyError } from "./errors.ts";
import type { ObjectInfo, ObjectStore } from "./object-store.ts";
import { signUrl } from "./signed-url.ts";

export interface LocalObjectStoreOptions {
  /** The folder holding the objects (e.g. `.data/objects`), created when missing. */
  dir: string;
  /** The public URL of the gateway's media route, ending in `/`, e.g. `http://localhost:8000/media/`. */
  publicBaseUrl: string;
  /** The HMAC key of signed URLs; the media route verifies with the same secret. */
  secret: string;
}

const DEFAULT_TYPE = "application/octet-stream";

/**
 * createLocalObjectStore is the default `ObjectStore`: objects are files under `<dir>/objects/`,
 * their content types small JSON files under `<dir>/meta/`. Writes go to a temporary file that is
 * then renamed, so a reader never sees half an object. Signed URLs point at `publicBaseUrl`,
 * where the gateway's media route checks them with `verifySignedUrl` and serves or stores the
 * object through this store (see `handleMediaRequest`).
 */
export function createLocalObjectStore(options: LocalObjectStoreOptions): ObjectStore {
  if (!options.publicBaseUrl.endsWith("/")) {
    throw new TypeError(`publicBaseUrl must end with "/": ${options.publicBaseUrl}`);
  }
  const root = resolve(options.dir);
  const objects = join(root, "objects");
  const meta = join(root, "meta");

  // Defence in depth: assertObjectKey already refuses every key that could climb out.
  const pathIn = (base: string, key: string, suffix = "") => {
    assertObjectKey(key);
    const path = resolve(base, key + suffix);
    if (!path.startsWith(base + sep)) throw new InvalidObjectKeyError(key, "outside the store");
    return path;
  };
  const writeAtomic = async (path: string, data: Uint8Array | string) => {
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomUUID()}.tmp`;
    await writeFile(temp, data);
    await rename(temp, path);
  };
  const info = async (key: string): Promise<ObjectInfo | null> => {
    try {
      const file = await stat(pathIn(objects, key));
      if (!file.isFile()) return null;
      const contentType = await readFile(pathIn(meta, key, ".json"), "utf8")
        .then((text) => (JSON.parse(text) as { contentType?: string }).contentType ?? DEFAULT_TYPE)
        .catch(() => DEFAULT_TYPE);
      return { size: file.size, contentType };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  };

  return {
    kind: "local",
    async putObject(key, body, opts) {
      const path = pathIn(objects, key);
      await writeAtomic(
        pathIn(meta, key, ".json"),
        JSON.stringify({ contentType: opts?.contentType ?? DEFAULT_TYPE }),
      );
      await writeAtomic(path, body);
    },
    async getObject(key) {
      const described = await info(key);
      if (!described) return null;
      try {
        const body = new Uint8Array(await readFile(pathIn(objects, key)));
        return { ...described, size: body.byteLength, body };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    headObject: info,
    async deleteObject(key) {
      await rm(pathIn(objects, key), { force: true });
      await rm(pathIn(meta, key, ".json"), { force: true });
    },
    async presignPut(key, opts) {
      return signUrl({ ...options, method: "PUT", key, ...opts });
    },
    async presignGet(key, opts) {
      return signUrl({ ...options, method: "GET", key, ...opts });
    },
  };
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "ENOENT" || code === "ENOTDIR";
}
