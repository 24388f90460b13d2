// Image intake end to end: the all-in-one process on the real PostgreSQL and Redis (the broker
// embedded), driven through the gateway's HTTP routes (I1, the signed /media/ PUT, I3, the served
// cdn_url) and, for UseImage, the storage worker's gRPC port as the scan service would call it.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { Code, ConnectError } from "@connectrpc/connect";
import sharp from "sharp";
import { ImageService } from "../../gen/eco2/storage/v1/storage_pb.ts";
import { ERROR_CODE_METADATA } from "../../lib/rpc/domain-error.ts";
import { createRpcClient } from "../../lib/rpc/index.ts";
import { devLogin } from "../../test/support/dev-login.ts";
import {
  allInOneEnv,
  type RunningProcess,
  startProcess,
  waitFor,
} from "../../test/support/processes.ts";
import { realServers, skipReason } from "../../test/support/servers.ts";
import { hasGpsTag, hugePng, jpegWithGps, pngImage } from "../../workers/storage/test-images.ts";
import { httpErrorFromRpc } from "../http-status.ts";

const skip =
  skipReason(realServers.databaseUrl, "DATABASE_URL") ??
  skipReason(realServers.redisUrl, "REDIS_URL");

let system: RunningProcess;
let base: string;
let storage: ReturnType<typeof createRpcClient<typeof ImageService>>;

async function signIn(nickname: string) {
  const session = await devLogin(base, `${nickname}-${Date.now().toString(36)}`);
  return { id: session.user_id, auth: session.headers };
}
type User = Awaited<ReturnType<typeof signIn>>;

async function post(user: User, path: string, json: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { ...user.auth, "content-type": "application/json" },
    body: JSON.stringify(json),
  });
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field.
  return { status: response.status, body: (await response.json()) as any };
}

/** upload runs I1 and the signed PUT, the way the client does, and returns I1's answer. */
async function upload(user: User, bytes: Uint8Array, contentType: string, filename = "a.jpg") {
  const issued = await post(user, "/api/v1/images/scan", { filename, content_type: contentType });
  expect(issued.status).toBe(200);
  const put = await fetch(local(issued.body.upload_url), {
    method: "PUT",
    headers: issued.body.required_headers,
    // A copy on a plain ArrayBuffer, as BodyInit requires.
    body: new Uint8Array(bytes),
  });
  expect(put.status).toBe(201);
  return issued.body as { key: string; cdn_url: string; upload_url: string };
}

const callback = (user: User, key: string) =>
  post(user, "/api/v1/images/scan/callback", { key, etag: "e" });

const useImage = (user: User, url: string) =>
  storage.useImage({ url }, { headers: { "x-user-id": user.id } });

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    const connect = ConnectError.from(err);
    return { code: connect.code, domain: connect.metadata.get(ERROR_CODE_METADATA), connect };
  }
  throw new Error("expected a refusal");
}

/** residentMb is the all-in-one process's resident memory (Linux). */
function residentMb(): number {
  const status = readFileSync(`/proc/${system.child.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

describe.skipIf(Boolean(skip))(`image intake through the gateway ${skip ?? ""}`, () => {
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    const env = await allInOneEnv({
      DATABASE_URL: realServers.databaseUrl!,
      REDIS_URL: realServers.redisUrl!,
      AUTH_DEV_LOGIN: "true",
      RATE_LIMIT_USER_PER_MINUTE: "100000",
      RATE_LIMIT_AUTH_PER_MINUTE: "100000",
    });
    system = startProcess(["scripts/start.ts"], env);
    base = `http://127.0.0.1:${env.PORT}`;
    await waitFor(
      async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
      30_000,
      `the system to be ready\n${system.output()}`,
    );
    storage = createRpcClient(ImageService, { address: env.STORAGE_ADDR!, timeoutMs: 10_000 });
    alice = await signIn("alice");
    bob = await signIn("bob");
  }, 40_000);

  afterAll(() => {
    storage?.close();
    system?.child.kill("SIGKILL");
  });

  it("I1 signs a PUT for the caller's namespace; cdn_url serves nothing until processed", async () => {
    const { status, body } = await post(alice, "/api/v1/images/scan", {
      filename: "dir/Photo.JPG",
      content_type: "image/jpeg",
    });
    expect(status).toBe(200);
    expect(body.key).toMatch(new RegExp(`^scan/${alice.id}/[0-9a-f]{32}\\.jpg$`));
    expect(body.expires_in).toBe(900);
    expect(body.required_headers).toEqual({ "Content-Type": "image/jpeg" });
    expect(body.upload_url).toStartWith(`${new URL(base).protocol}//localhost:`);
    expect(new URL(body.upload_url).pathname).toBe(`/media/incoming/${body.key}`);
    expect(new URL(body.cdn_url).pathname).toBe(`/media/${body.key}`);
    expect((await fetch(local(body.cdn_url))).status).toBe(404);
  });

  it("I1 refuses a type other than JPEG, PNG or WebP with 415", async () => {
    const { status, body } = await post(alice, "/api/v1/images/scan", {
      filename: "a.gif",
      content_type: "image/gif",
    });
    expect(status).toBe(415);
    expect(body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("I3 processes the upload: EXIF GPS gone, re-encoded, thumbnail made, same answer twice", async () => {
    const image = await jpegWithGps();
    expect(hasGpsTag((await sharp(image).metadata()).exif)).toBe(true);
    const issued = await upload(alice, image, "image/jpeg");
    const first = await callback(alice, issued.key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      key: issued.key,
      channel: "scan",
      uploader_id: alice.id,
      content_type: "image/jpeg",
      etag: "e",
    });
    const served = await fetch(local(first.body.cdn_url));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/jpeg");
    const meta = await sharp(new Uint8Array(await served.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 64, 48]);
    expect(meta.exif).toBeUndefined();
    expect(hasGpsTag(meta.exif)).toBe(false);

    const used = await useImage(alice, issued.cdn_url);
    expect(used).toMatchObject({
      key: issued.key,
      contentType: "image/jpeg",
      width: 64,
      height: 48,
      channel: "scan",
    });
    const thumb = await fetch(local(used.thumbnailUrl));
    expect(thumb.status).toBe(200);
    expect((await sharp(new Uint8Array(await thumb.arrayBuffer())).metadata()).width).toBe(64);

    const again = await useImage(alice, issued.cdn_url);
    expect({ ...again, cdnUrl: "", thumbnailUrl: "" }).toEqual({
      ...used,
      cdnUrl: "",
      thumbnailUrl: "",
    });
    // The same record again; its GET URL is signed anew, so only its expiry may differ.
    const second = (await callback(alice, issued.key)).body;
    const unsigned = (url: string) => url.split("?")[0];
    expect({ ...second, cdn_url: unsigned(second.cdn_url) }).toEqual({
      ...first.body,
      cdn_url: unsigned(first.body.cdn_url),
    });
    expect((await fetch(local(second.cdn_url))).status).toBe(200);
  });

  it("the local PUT has the upload processed without I3 or a first use", async () => {
    const issued = await upload(alice, await jpegWithGps(), "image/jpeg");
    const served = await waitFor(
      async () => {
        const response = await fetch(local(issued.cdn_url));
        return response.status === 200 ? new Uint8Array(await response.arrayBuffer()) : undefined;
      },
      5000,
      "the processed image after the PUT",
    );
    expect(hasGpsTag((await sharp(served).metadata()).exif)).toBe(false);
  });

  it("concurrent first uses agree on one processed image", async () => {
    const issued = await upload(alice, await jpegWithGps(), "image/jpeg");
    const answers = await Promise.all([1, 2, 3, 4].map(() => useImage(alice, issued.cdn_url)));
    const shapes = answers.map((a) => [
      a.key,
      a.width,
      a.height,
      String(a.sizeBytes),
      a.contentType,
    ]);
    expect(new Set(shapes.map((s) => JSON.stringify(s))).size).toBe(1);
  });

  it("a second PUT after processing changes nothing that is served", async () => {
    const first = await jpegWithGps();
    const issued = await upload(alice, first, "image/jpeg");
    const used = await useImage(alice, issued.cdn_url);
    const put = await fetch(local(issued.upload_url), {
      method: "PUT",
      headers: { "content-type": "image/jpeg" },
      body: new Uint8Array(await pngImage()),
    });
    expect(put.status).toBe(201);
    const again = await useImage(alice, issued.cdn_url);
    expect([again.width, again.height, again.sizeBytes]).toEqual([
      used.width,
      used.height,
      used.sizeBytes,
    ]);
  });

  it("UseImage processes on first use, without I3", async () => {
    const issued = await upload(alice, await pngImage(800, 600), "image/png", "p.png");
    const used = await useImage(alice, issued.cdn_url);
    expect([used.contentType, used.width, used.height]).toEqual(["image/png", 800, 600]);
    const thumb = await fetch(local(used.thumbnailUrl));
    expect((await sharp(new Uint8Array(await thumb.arrayBuffer())).metadata()).width).toBe(320);
  });

  it("a PNG declared as JPEG is refused with 415 and never served", async () => {
    const issued = await upload(alice, await pngImage(), "image/jpeg");
    const refused = await callback(alice, issued.key);
    expect(refused.status).toBe(415);
    expect(refused.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const viaUse = await refusal(useImage(alice, issued.cdn_url));
    expect(viaUse.domain).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect((await fetch(local(issued.cdn_url))).status).toBe(404);
  });

  it("an 80-megapixel PNG is refused with 413 while the process's memory stays flat", async () => {
    const bomb = await hugePng();
    const issued = await upload(alice, bomb, "image/png", "bomb.png");
    const before = residentMb();
    for (let i = 0; i < 3; i++) {
      const refused = await callback(alice, issued.key);
      expect(refused.status).toBe(413);
      expect(refused.body.code).toBe("IMAGE_TOO_LARGE");
    }
    const grown = residentMb() - before;
    console.log(
      `80 MP PNG (${bomb.byteLength} bytes): RSS ${before.toFixed(1)} MB → +${grown.toFixed(1)} MB`,
    );
    // One decode would need 240 MB of pixels.
    expect(grown).toBeLessThan(30);
  });

  it("another user's image is 404 on I3 and on UseImage", async () => {
    const issued = await upload(alice, await jpegWithGps(), "image/jpeg");
    const viaCallback = await callback(bob, issued.key);
    expect(viaCallback.status).toBe(404);
    expect(viaCallback.body.code).toBe("UPLOAD_NOT_FOUND");
    const viaUse = await refusal(useImage(bob, issued.cdn_url));
    expect([viaUse.code, viaUse.domain]).toEqual([Code.NotFound, "IMAGE_NOT_FOUND"]);
    expect(httpErrorFromRpc(viaUse.connect).status).toBe(404);
    // Bob's attempts leave Alice's image hers.
    expect((await useImage(alice, issued.cdn_url)).key).toBe(issued.key);
  });

  it("an image URL that is not ours is INVALID_ARGUMENT, which the gateway answers 400", async () => {
    for (const url of [
      "https://evil.example.com/scan/x.jpg",
      "http://169.254.169.254/latest/meta-data/",
      `${base}/api/v1/users/me`,
    ]) {
      const refused = await refusal(useImage(alice, url));
      expect([refused.code, refused.domain]).toEqual([Code.InvalidArgument, "INVALID_IMAGE_URL"]);
      expect(httpErrorFromRpc(refused.connect)).toMatchObject({
        status: 400,
        code: "INVALID_IMAGE_URL",
      });
    }
  });

  it("an issued upload that was never PUT is IMAGE_NOT_FOUND", async () => {
    const { body } = await post(alice, "/api/v1/images/scan", {
      filename: "x.webp",
      content_type: "image/webp",
    });
    const refused = await refusal(useImage(alice, body.cdn_url));
    expect(refused.domain).toBe("IMAGE_NOT_FOUND");
  });
});

/** local points a URL made for `localhost` (PUBLIC_BASE_URL's default) at the test's loopback. */
function local(url: string): string {
  const parsed = new URL(url);
  parsed.hostname = "127.0.0.1";
  return parsed.toString();
}
