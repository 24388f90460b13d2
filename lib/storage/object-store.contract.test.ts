import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type FakeS3, startFakeS3 } from "../../test/support/fake-s3.ts";
import { uniqueName } from "../../test/support/servers.ts";
import { createLocalObjectStore } from "./create-local-object-store.ts";
import { createS3ObjectStore } from "./create-s3-object-store.ts";
import { isInvalidObjectKeyError } from "./errors.ts";
import { handleMediaRequest } from "./handle-media-request.ts";
import type { ObjectStore } from "./object-store.ts";

interface Harness {
  store: ObjectStore;
  close(): Promise<void>;
}

const UNSAFE_KEYS = [
  "",
  "/etc/passwd",
  "../escape.txt",
  "a/../../escape.txt",
  "a/./b",
  "a//b",
  "a/",
  "a\\..\\b",
  "nul\u0000byte",
  "C:/windows",
];

/**
 * describeObjectStoreContract is the one suite for the object-store port: the local folder
 * (signed URLs served by handleMediaRequest, as the gateway mounts it) and S3 (against the
 * SigV4-checking stand-in in test/support/fake-s3.ts).
 */
function describeObjectStoreContract(name: string, open: () => Promise<Harness>): void {
  describe(`object store contract: ${name}`, () => {
    let harness: Harness;
    let store: ObjectStore;
    const prefix = `${uniqueName("osc")}/`;
    beforeAll(async () => {
      harness = await open();
      store = harness.store;
    });
    afterAll(() => harness.close());

    it("puts, heads, gets and deletes objects byte for byte", async () => {
      const key = `${prefix}scans/2026/11/photo one.jpg`;
      const bytes = new Uint8Array(256).map((_, i) => i);
      expect(await store.getObject(key)).toBeNull();
      expect(await store.headObject(key)).toBeNull();
      await store.putObject(key, bytes, { contentType: "image/jpeg" });
      expect(await store.headObject(key)).toEqual({ size: 256, contentType: "image/jpeg" });
      const got = await store.getObject(key);
      expect(got?.contentType).toBe("image/jpeg");
      expect(Array.from(got?.body ?? [])).toEqual(Array.from(bytes));
      await store.putObject(key, "replaced");
      const replaced = await store.getObject(key);
      expect(new TextDecoder().decode(replaced?.body)).toBe("replaced");
      expect(replaced?.contentType).toBe("application/octet-stream");
      await store.deleteObject(key);
      await store.deleteObject(key);
      expect(await store.getObject(key)).toBeNull();
    });

    it("refuses keys that could escape the store, for every operation", async () => {
      for (const key of UNSAFE_KEYS) {
        const calls = [
          () => store.putObject(key, "x"),
          () => store.getObject(key),
          () => store.headObject(key),
          () => store.deleteObject(key),
          () => store.presignPut(key, { contentType: "text/plain", expiresInSec: 60 }),
          () => store.presignGet(key, { expiresInSec: 60 }),
        ];
        for (const call of calls) {
          const err = await call().then(
            () => undefined,
            (e) => e,
          );
          expect(isInvalidObjectKeyError(err)).toBe(true);
        }
      }
    });

    it("issues a signed PUT URL for one content type and a signed GET URL", async () => {
      const key = `${prefix}uploads/사진.png`;
      const putUrl = await store.presignPut(key, { contentType: "image/png", expiresInSec: 60 });
      const wrongType = await fetch(putUrl, {
        method: "PUT",
        body: "not a png",
        headers: { "content-type": "text/html" },
      });
      expect(wrongType.status).toBe(403);
      expect(await store.headObject(key)).toBeNull();
      const put = await fetch(putUrl, {
        method: "PUT",
        body: "png bytes",
        headers: { "content-type": "image/png" },
      });
      expect(put.ok).toBe(true);
      expect(await store.headObject(key)).toEqual({ size: 9, contentType: "image/png" });

      const getUrl = await store.presignGet(key, { expiresInSec: 60 });
      const got = await fetch(getUrl);
      expect(got.status).toBe(200);
      expect(got.headers.get("content-type")).toBe("image/png");
      expect(await got.text()).toBe("png bytes");
      // A GET URL does not authorise a PUT.
      const misuse = await fetch(getUrl, {
        method: "PUT",
        body: "x",
        headers: { "content-type": "image/png" },
      });
      expect(misuse.status).toBe(403);
    });

    it("refuses a tampered or expired signed URL", async () => {
      const key = `${prefix}private/a.txt`;
      await store.putObject(key, "secret", { contentType: "text/plain" });
      await store.putObject(`${prefix}private/b.txt`, "other", { contentType: "text/plain" });
      const url = await store.presignGet(key, { expiresInSec: 1 });
      const tampered = url.replace("/a.txt", "/b.txt");
      expect((await fetch(tampered)).status).toBe(403);
      expect((await fetch(url)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2100));
      expect((await fetch(url)).status).toBe(403);
    });
  });
}

describeObjectStoreContract("local folder", async () => {
  const dir = await mkdtemp(join(tmpdir(), "eco2-objects-"));
  const secret = "test-secret";
  let store!: ObjectStore;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (request) => handleMediaRequest(request, { store, secret, basePath: "/media/" }),
  });
  store = createLocalObjectStore({
    dir: join(dir, "store"),
    publicBaseUrl: `http://127.0.0.1:${server.port}/media/`,
    secret,
  });
  return {
    store,
    async close() {
      // Nothing was written beside the store by the refused keys.
      expect(existsSync(join(dir, "escape.txt"))).toBe(false);
      expect(existsSync(join(dirname(dir), "escape.txt"))).toBe(false);
      server.stop(true);
      await rm(dir, { recursive: true, force: true });
    },
  };
});

let fake: FakeS3;
describeObjectStoreContract("s3 (local stand-in)", async () => {
  fake = await startFakeS3();
  const store = createS3ObjectStore({
    bucket: fake.bucket,
    region: fake.region,
    endpoint: fake.endpoint,
    credentials: fake.credentials,
  });
  return {
    store,
    async close() {
      // The stand-in refused only what the suite meant it to (wrong type, GET-as-PUT, tampered,
      // expired), so every other request was correctly signed.
      expect(fake.refusals.sort()).toEqual([
        "AccessDenied",
        "SignatureDoesNotMatch",
        "SignatureDoesNotMatch",
        "SignatureDoesNotMatch",
      ]);
      await fake.close();
    },
  };
});
