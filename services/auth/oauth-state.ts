import { createHash, randomBytes } from "node:crypto";
import type { Cache } from "../../lib/cache/cache.ts";
import type { ProviderName } from "./oauth-providers.ts";

/** What a login remembers between sending the browser away and its coming back. */
export interface PendingLogin {
  readonly provider: ProviderName;
  readonly redirectUri: string;
  readonly codeVerifier: string;
  readonly deviceId: string;
  readonly frontendOrigin: string;
}

const CALLER_STATE = /^[A-Za-z0-9_-]{16,128}$/;

/** newState is 32 random URL-safe bytes, or the caller's own when it is a sound one. */
export function newState(callerState: string): string {
  return CALLER_STATE.test(callerState) ? callerState : randomBytes(32).toString("base64url");
}

/** newCodeVerifier is PKCE's secret (64 random URL-safe bytes) with its S256 challenge. */
export function newCodeVerifier(): { verifier: string; challenge: string } {
  const verifier = randomBytes(64).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

const stateKey = (state: string) => `auth:oauth:state:${state}`;

/** savePendingLogin keeps a login's state for its lifetime; an existing state is not overwritten. */
export async function savePendingLogin(
  cache: Cache,
  state: string,
  login: PendingLogin,
  ttlSeconds: number,
): Promise<boolean> {
  return cache.setIfAbsent(stateKey(state), JSON.stringify(login), ttlSeconds * 1000);
}

/**
 * takePendingLogin consumes a state: it can be used once. Two callbacks racing with the same state
 * both read it, but only the one whose delete removed it may go on.
 */
export async function takePendingLogin(
  cache: Cache,
  state: string,
): Promise<PendingLogin | undefined> {
  const value = await cache.get(stateKey(state));
  if (value === null || !(await cache.del(stateKey(state)))) return undefined;
  return JSON.parse(value) as PendingLogin;
}
