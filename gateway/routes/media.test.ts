import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalObjectStore, handleMediaRequest } from "../../lib/storage/index.ts";
import { offlineGateway } from "../../test/support/offline-gateway.ts";
import { testSession } from "../../test/support/session.ts";

const dir = mkdtempSync(join(tmpdir(), "eco2-media-"));
const secret = "test-secret";
const store = createLocalObjectStore({ dir, publicBaseUrl: "http://localhost/media/", secret });
const session = await testSession();
const { fetch: handle, clients } = offlineGateway(session, {
  media: { store, secret, basePath: "/media/", maxBytes: 1024 },
  maxBodyBytes: 64,
});

afterAll(() => {
  clients.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("/media/ (local object store)", () => {
  it("accepts a signed PUT and serves the object at the signed GET URL", async () => {
    const put = await store.presignPut("scan/abc.jpg", {
      contentType: "image/jpeg",
      expiresInSec: 60,
    });
    const body = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const stored = await handle(
      new Request(put, { method: "PUT", headers: { "content-type": "image/jpeg" }, body }),
    );
    expect(stored.status).toBe(201);
    const get = await store.presignGet("scan/abc.jpg", { expiresInSec: 60 });
    const served = await handle(new Request(get));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(body);
  });

  it("refuses a tampered, unsigned or mistyped upload and stores nothing", async () => {
    const put = await store.presignPut("scan/x.png", {
      contentType: "image/png",
      expiresInSec: 60,
    });
    const tampered = put.replace("scan/x.png", "scan/y.png");
    for (const [url, type] of [
      [tampered, "image/png"],
      ["http://localhost/media/scan/x.png", "image/png"],
      [put, "image/jpeg"],
    ] as const) {
      const response = await handle(
        new Request(url, { method: "PUT", headers: { "content-type": type }, body: "x" }),
      );
      expect(response.status).toBe(403);
    }
    expect(await store.headObject("scan/x.png")).toBeNull();
    expect(await store.headObject("scan/y.png")).toBeNull();
  });

  it("applies the upload limit to media and the API limit elsewhere", async () => {
    const put = await store.presignPut("scan/big.bin", {
      contentType: "application/octet-stream",
      expiresInSec: 60,
    });
    const big = await handle(
      new Request(put, {
        method: "PUT",
        headers: { "content-type": "application/octet-stream", "content-length": "2048" },
        body: new Uint8Array(2048),
      }),
    );
    expect(big.status).toBe(413);
    const json = JSON.stringify({ title: "x".repeat(100) });
    const api = await handle(
      new Request("http://localhost/api/v1/chat", {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(json.length) },
        body: json,
      }),
    );
    expect(api.status).toBe(413);
    expect(await api.json()).toEqual({
      detail: "request body over 64 bytes",
      code: "PAYLOAD_TOO_LARGE",
    });
  });

  it("tells onStored the key of each stored upload, and of nothing refused", async () => {
    const stored: string[] = [];
    const options = {
      store,
      secret,
      basePath: "/media/",
      onStored: (key: string) => stored.push(key),
    };
    const put = await store.presignPut("incoming/scan/u/k.png", {
      contentType: "image/png",
      expiresInSec: 60,
    });
    const send = (type: string) =>
      handleMediaRequest(
        new Request(put, { method: "PUT", headers: { "content-type": type }, body: "x" }),
        options,
      );
    expect((await send("image/jpeg")).status).toBe(403);
    expect((await send("image/png")).status).toBe(201);
    expect(stored).toEqual(["incoming/scan/u/k.png"]);
  });
});
