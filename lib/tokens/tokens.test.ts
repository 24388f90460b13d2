import { describe, expect, it } from "bun:test";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLog } from "../../test/support/silent-log.ts";
import { createMemoryCache } from "../cache/create-memory-cache.ts";
import { MemoryCacheStore } from "../cache/memory-cache-store.ts";
import {
  CachingVerifier,
  generateSigningKeyJwk,
  keyResolver,
  loadOrCreateSigningKeys,
  parseSigningKeys,
  RevocationList,
  signToken,
  TokenRejectedError,
  verifyToken,
} from "./index.ts";

const policy = { issuer: "eco2-test", audience: "api", leewaySeconds: 5 };
const claims = {
  sub: "user-1",
  provider: "kakao",
  family: "fam-1",
  type: "access" as const,
  ttlSeconds: 60,
};

describe("signing keys", () => {
  it("signs with the first key and keeps verifying tokens of a key rotated to second place", async () => {
    const [oldKey, newKey] = [await generateSigningKeyJwk(), await generateSigningKeyJwk()];
    const before = await parseSigningKeys(JSON.stringify([oldKey]));
    const issued = await signToken(before, policy, claims);
    const after = await parseSigningKeys(JSON.stringify([newKey, oldKey]));
    expect(after.active.kid).toBe(newKey.kid!);
    const verified = await verifyToken(issued.token, keyResolver(after.jwks()), policy, "access");
    expect(verified.sub).toBe("user-1");
    const header = JSON.parse(
      Buffer.from(
        (await signToken(after, policy, claims)).token.split(".")[0]!,
        "base64url",
      ).toString(),
    );
    expect(header).toMatchObject({ alg: "EdDSA", kid: newKey.kid });
    // Once the old key is dropped, its tokens stop verifying.
    const dropped = await parseSigningKeys(JSON.stringify([newKey]));
    await expect(
      verifyToken(issued.token, keyResolver(dropped.jwks()), policy, "access"),
    ).rejects.toThrow(TokenRejectedError);
  });

  it("publishes public keys only", async () => {
    const keys = await parseSigningKeys(JSON.stringify([await generateSigningKeyJwk()]));
    for (const key of keys.jwks().keys) {
      expect(key).not.toHaveProperty("d");
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    }
  });

  it("refuses keys that cannot sign, with a reason", async () => {
    await expect(parseSigningKeys("not json")).rejects.toThrow("not valid JSON");
    await expect(parseSigningKeys("[]")).rejects.toThrow("non-empty");
    const key = await generateSigningKeyJwk();
    const { d: _d, ...publicOnly } = key;
    await expect(parseSigningKeys(JSON.stringify([publicOnly]))).rejects.toThrow(
      "not a private Ed25519 JWK",
    );
    await expect(parseSigningKeys(JSON.stringify([key, key]))).rejects.toThrow("repeat a kid");
  });

  it("creates one key under the data folder and finds the same one on the next start", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "eco2-keys-")), "auth", "keys.json");
    const first = await loadOrCreateSigningKeys(path);
    const second = await loadOrCreateSigningKeys(path);
    expect(second.active.kid).toBe(first.active.kid);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, "utf8"))[0].d).toBeString();
  });
});

describe("the caching verifier", () => {
  it("fetches the keys once, and again only for an unknown kid", async () => {
    const [a, b] = [await generateSigningKeyJwk(), await generateSigningKeyJwk()];
    let published = await parseSigningKeys(JSON.stringify([a]));
    let fetches = 0;
    const verifier = new CachingVerifier({
      policy,
      refetchIntervalMs: 0,
      fetchJwks: async () => {
        fetches++;
        return published.jwks();
      },
    });
    const token = (await signToken(published, policy, claims)).token;
    for (let i = 0; i < 5; i++) expect((await verifier.verify(token, "access")).sub).toBe("user-1");
    expect(fetches).toBe(1);
    published = await parseSigningKeys(JSON.stringify([b, a]));
    const rotated = (await signToken(published, policy, claims)).token;
    expect((await verifier.verify(rotated, "access")).sub).toBe("user-1");
    expect(fetches).toBe(2);
    await expect(verifier.verify(rotated, "refresh")).rejects.toThrow("expected a refresh token");
  });
});

describe("the revocation list", () => {
  const lists = () => {
    const store = new MemoryCacheStore();
    const make = () =>
      new RevocationList({
        cache: createMemoryCache({ log: silentLog, store }),
        log: silentLog,
        horizonMs: 60_000,
        resyncMs: 50,
      });
    return { make, store };
  };
  const token = {
    jti: "jti-1",
    sub: "user-1",
    iat: Math.floor(Date.now() / 1000),
    family: "fam-1",
  };

  it("tells every started list about a revocation, and a list started later too", async () => {
    const { make } = lists();
    const [writer, reader] = [make(), make()];
    await Promise.all([writer.start(), reader.start()]);
    expect(reader.isRevoked(token)).toBe(false);
    await writer.revoke({ kind: "token", jti: "jti-1", expiresAtMs: Date.now() + 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reader.isRevoked(token)).toBe(true);
    const late = make();
    await late.start();
    expect(late.isRevoked(token)).toBe(true);
    expect(await late.isRevokedDurably(token)).toBe(true);
    await Promise.all([writer.stop(), reader.stop(), late.stop()]);
  });

  it("revokes a family and every token of a subject issued until then", async () => {
    const { make } = lists();
    const list = make();
    await list.start();
    await list.revoke({ kind: "family", family: "fam-2", expiresAtMs: Date.now() + 60_000 });
    expect(list.isRevoked({ ...token, jti: "other", family: "fam-2" })).toBe(true);
    const now = Math.floor(Date.now() / 1000);
    await list.revoke({
      kind: "subject",
      sub: "user-9",
      issuedBeforeSec: now,
      expiresAtMs: Date.now() + 60_000,
    });
    expect(list.isRevoked({ jti: "x", sub: "user-9", iat: now - 10, family: "f" })).toBe(true);
    expect(list.isRevoked({ jti: "y", sub: "user-9", iat: now + 10, family: "f" })).toBe(false);
    await list.stop();
  });

  it("catches a revocation whose announcement it missed, on its next re-read", async () => {
    const { make, store } = lists();
    const reader = make();
    await reader.start();
    // Written straight into the log, as if the pub/sub message was lost in a reconnect.
    const cache = createMemoryCache({ log: silentLog, store });
    await cache.zAdd("auth:revocations:log", [
      {
        value: JSON.stringify({ kind: "token", jti: "lost", expiresAtMs: Date.now() + 60_000 }),
        score: Date.now(),
      },
    ]);
    expect(reader.isRevoked({ ...token, jti: "lost" })).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reader.isRevoked({ ...token, jti: "lost" })).toBe(true);
    await reader.stop();
  });
});
