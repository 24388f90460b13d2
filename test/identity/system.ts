// One Eco² system on the real servers for the identity suites: the all-in-one process with a
// signing key the tests know, so they can forge tokens with it.
import { generateSigningKeyJwk } from "../../lib/tokens/index.ts";
import { allInOneEnv, type RunningProcess, startProcess, waitFor } from "../support/processes.ts";
import { realServers, skipReason } from "../support/servers.ts";

/** The page origin the tests' browser is on (in the default CORS allow-list). */
export const ORIGIN = "http://localhost:5173";

export const identitySkip =
  skipReason(realServers.databaseUrl, "DATABASE_URL") ??
  skipReason(realServers.redisUrl, "REDIS_URL") ??
  skipReason(realServers.amqpUrl, "AMQP_URL");

export interface IdentitySystem {
  readonly base: string;
  readonly env: Record<string, string>;
  readonly process: RunningProcess;
  /** The private signing key the auth service uses. */
  readonly signingKey: Awaited<ReturnType<typeof generateSigningKeyJwk>>;
  stop(): void;
}

export async function startIdentitySystem(
  extra: Record<string, string> = {},
): Promise<IdentitySystem> {
  const signingKey = await generateSigningKeyJwk();
  const env = await allInOneEnv({
    DATABASE_URL: realServers.databaseUrl!,
    REDIS_URL: realServers.redisUrl!,
    AMQP_URL: realServers.amqpUrl!,
    AUTH_JWT_PRIVATE_KEYS: JSON.stringify([signingKey]),
    RATE_LIMIT_AUTH_PER_MINUTE: "100000",
    RATE_LIMIT_USER_PER_MINUTE: "100000",
    ...extra,
  });
  const process = startProcess(["scripts/start.ts"], env);
  const base = `http://127.0.0.1:${env.PORT}`;
  await waitFor(
    async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
    30_000,
    `the system to be ready\n${process.output()}`,
  );
  return { base, env, process, signingKey, stop: () => process.child.kill("SIGKILL") };
}

export { devLogin } from "../support/dev-login.ts";

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export const uniqueNickname = (what: string) =>
  `${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
