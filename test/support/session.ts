// A real session guard for tests that build the gateway app in-process: its own signing key, an
// in-memory cache of its own, and a way to sign access tokens the guard accepts.

import { SessionGuard } from "../../gateway/session-guard.ts";
import type { Cache } from "../../lib/cache/cache.ts";
import { createMemoryCache } from "../../lib/cache/create-memory-cache.ts";
import { MemoryCacheStore } from "../../lib/cache/memory-cache-store.ts";
import type { Logger } from "../../lib/log/create-logger.ts";
import {
  CachingVerifier,
  generateSigningKeyJwk,
  parseSigningKeys,
  RevocationList,
  signToken,
} from "../../lib/tokens/index.ts";
import { silentLog } from "./silent-log.ts";

export const TEST_TOKEN_POLICY = { issuer: "eco2-test", audience: "api", leewaySeconds: 5 };

export async function testSession(
  options: {
    allowedOrigins?: string[];
    authPerMinute?: number;
    userPerMinute?: number;
    /** Called on each fetch of the signing keys (a token not verified before). */
    onJwksFetch?: () => void;
    /** Replaces the in-memory cache's rateLimitNow (to make it fail). */
    rateLimitNow?: Cache["rateLimitNow"];
    log?: Logger;
  } = {},
) {
  const keys = await parseSigningKeys(JSON.stringify([await generateSigningKeyJwk()]));
  const memory = createMemoryCache({ log: silentLog, store: new MemoryCacheStore() });
  const cache: Cache = options.rateLimitNow
    ? { ...memory, rateLimitNow: options.rateLimitNow }
    : memory;
  const revocations = new RevocationList({ cache, log: silentLog, horizonMs: 3_600_000 });
  await revocations.start();
  const guard = new SessionGuard({
    verifier: new CachingVerifier({
      policy: TEST_TOKEN_POLICY,
      fetchJwks: async () => {
        options.onJwksFetch?.();
        return keys.jwks();
      },
    }),
    revocations,
    cache,
    allowedOrigins: options.allowedOrigins ?? [],
    authPerMinute: options.authPerMinute ?? 10_000,
    userPerMinute: options.userPerMinute ?? 10_000,
    log: options.log ?? silentLog,
  });
  /** sign issues an access token for `sub` that this guard accepts. */
  const sign = async (sub = "user-1", provider = "kakao") =>
    (
      await signToken(keys, TEST_TOKEN_POLICY, {
        sub,
        provider,
        type: "access",
        family: `family-${sub}`,
        ttlSeconds: 600,
      })
    ).token;
  return {
    guard,
    sign,
    revocations,
    async close() {
      await revocations.stop();
      await cache.close();
    },
  };
}
