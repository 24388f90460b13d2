import { afterAll, describe, expect, it } from "bun:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalObjectStore, createS3ObjectStore } from "../../lib/storage/index.ts";
import { startFakeS3 } from "../../test/support/fake-s3.ts";
import { createImageUrls } from "./image-urls.ts";

// The local store only signs here; nothing is written to its folder.
const objects = createLocalObjectStore({
  dir: join(tmpdir(), "eco2-image-urls-unused"),
  publicBaseUrl: "http://localhost:8000/media/",
  secret: "s",
});

describe("createImageUrls", () => {
  it("without a CDN: signed media-route URLs, read back to their key", async () => {
    const urls = await createImageUrls({ objects });
    const url = await urls.urlOf("scan/u1/abc.jpg");
    expect(url).toStartWith("http://localhost:8000/media/scan/u1/abc.jpg?method=GET&expires=");
    expect(urls.keyOf(url)).toBe("scan/u1/abc.jpg");
    // The signature does not matter for naming the key; ownership is checked by the caller.
    expect(urls.keyOf("http://localhost:8000/media/scan/u1/abc.jpg")).toBe("scan/u1/abc.jpg");
  });

  it("with CDN_BASE_URL: `<base>/<key>`, and the store's URLs still count as ours", async () => {
    const urls = await createImageUrls({ objects, cdnBaseUrl: "https://images.example.com/" });
    expect(await urls.urlOf("chat/u1/a b.png")).toBe(
      "https://images.example.com/chat/u1/a%20b.png",
    );
    expect(urls.keyOf("https://images.example.com/chat/u1/a%20b.png")).toBe("chat/u1/a b.png");
    expect(urls.keyOf("http://localhost:8000/media/chat/u1/x.png")).toBe("chat/u1/x.png");
  });

  it("refuses foreign hosts, other ports and schemes, other paths and unsafe keys", async () => {
    const urls = await createImageUrls({ objects, cdnBaseUrl: "https://images.example.com" });
    for (const url of [
      "https://evil.example.com/chat/u1/x.png",
      "http://images.example.com/chat/u1/x.png",
      "http://localhost:8001/media/chat/u1/x.png",
      "http://localhost:8000/api/v1/users/me",
      "http://localhost:8000/media/",
      "http://localhost:8000/media/a/%2e%2e/%2e%2e/etc/passwd",
      "http://169.254.169.254/latest/meta-data/",
      "file:///etc/passwd",
      "not a url",
      "",
    ]) {
      expect(urls.keyOf(url)).toBeUndefined();
    }
  });
});

describe("createImageUrls on S3 (local stand-in)", async () => {
  const fake = await startFakeS3();
  afterAll(() => fake.close());
  const s3 = createS3ObjectStore({
    bucket: fake.bucket,
    region: fake.region,
    endpoint: fake.endpoint,
    credentials: fake.credentials,
  });

  it("without a CDN: presigned GETs that serve the object and read back to their key", async () => {
    await s3.putObject("scan/u1/a.png", "png bytes", { contentType: "image/png" });
    const urls = await createImageUrls({ objects: s3 });
    const url = await urls.urlOf("scan/u1/a.png");
    const served = await fetch(url);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe("png bytes");
    expect(urls.keyOf(url)).toBe("scan/u1/a.png");
    expect(urls.keyOf(`${fake.endpoint}/other-bucket/scan/u1/a.png`)).toBeUndefined();
  });
});
