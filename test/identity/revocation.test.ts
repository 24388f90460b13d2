import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import pg from "pg";
import { freePort, type RunningProcess, startProcess, waitFor } from "../support/processes.ts";
import { realServers } from "../support/servers.ts";
import {
  bearer,
  devLogin,
  type IdentitySystem,
  identitySkip,
  startIdentitySystem,
  uniqueNickname,
} from "./system.ts";

/** startSecondGateway runs another gateway process in front of the same services and Redis. */
async function startSecondGateway(
  system: IdentitySystem,
): Promise<{ base: string; process: RunningProcess }> {
  const port = await freePort();
  const addresses = Object.fromEntries(
    Object.entries(system.env).filter(([key]) => key.endsWith("_ADDR")),
  );
  const process = startProcess(["gateway/main.ts"], {
    ...addresses,
    PORT: String(port),
    LOG_LEVEL: "warn",
    REDIS_URL: realServers.redisUrl!,
    RATE_LIMIT_USER_PER_MINUTE: "100000",
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined),
    20_000,
    "the second gateway",
  );
  return { base, process };
}

const profileStatus = async (base: string, token: string) =>
  (await fetch(`${base}/api/v1/users/me`, { headers: bearer(token) })).status;

describe.skipIf(identitySkip !== undefined)(
  `revocation across gateways, and account deletion ${identitySkip ?? ""}`,
  () => {
    let system: IdentitySystem;
    let db: pg.Pool;
    const others: RunningProcess[] = [];

    beforeAll(async () => {
      system = await startIdentitySystem();
      db = new pg.Pool({ connectionString: realServers.databaseUrl, max: 2 });
    }, 40_000);

    afterAll(async () => {
      for (const other of others) other.child.kill("SIGKILL");
      system?.stop();
      await db?.end();
    });

    it("a logout through one gateway is enforced by another within 1 s, and by one that starts later", async () => {
      const second = await startSecondGateway(system);
      others.push(second.process);
      const pair = await devLogin(system.base, uniqueNickname("fanout"));
      // The second gateway has verified (and cached) this token before it is revoked.
      expect(await profileStatus(second.base, pair.access_token)).toBe(200);

      const logout = await fetch(`${system.base}/api/v1/auth/logout`, {
        method: "POST",
        headers: bearer(pair.access_token),
      });
      expect(logout.status).toBe(200);
      const revokedAt = performance.now();
      await waitFor(
        async () =>
          (await profileStatus(second.base, pair.access_token)) === 403 ? true : undefined,
        1000,
        "the second gateway to refuse the revoked token",
      );
      expect(performance.now() - revokedAt).toBeLessThan(1000);

      const third = await startSecondGateway(system);
      others.push(third.process);
      expect(await profileStatus(third.base, pair.access_token)).toBe(403);
    }, 60_000);

    it("a deleted user's data is gone from every schema and their tokens stop working", async () => {
      const pair = await devLogin(system.base, uniqueNickname("deleted"));
      const userId = pair.user_id;
      const characters = await fetch(`${system.base}/api/v1/users/me/characters`, {
        headers: bearer(pair.access_token),
      });
      expect(characters.status).toBe(200);
      const rows = async () => ({
        accounts: (await db.query("SELECT 1 FROM my.accounts WHERE id = $1", [userId])).rowCount,
        socials: (await db.query("SELECT 1 FROM my.social_accounts WHERE user_id = $1", [userId]))
          .rowCount,
        characters: (
          await db.query("SELECT 1 FROM character.ownerships WHERE user_id = $1", [userId])
        ).rowCount,
        audits: (await db.query("SELECT 1 FROM auth.login_audits WHERE user_id = $1", [userId]))
          .rowCount,
      });
      expect(await rows()).toEqual({ accounts: 1, socials: 1, characters: 1, audits: 1 });

      const deleted = await fetch(`${system.base}/api/v1/users/me`, {
        method: "DELETE",
        headers: bearer(pair.access_token),
      });
      expect(deleted.status).toBe(204);
      await waitFor(
        async () => ((await rows()).audits === 0 ? true : undefined),
        10_000,
        "the auth service to forget the deleted user",
      );
      await waitFor(
        async () => ((await rows()).characters === 0 ? true : undefined),
        10_000,
        "the character service to forget the deleted user",
      );
      expect(await rows()).toEqual({ accounts: 0, socials: 0, characters: 0, audits: 0 });
      await waitFor(
        async () =>
          (await profileStatus(system.base, pair.access_token)) === 403 ? true : undefined,
        5000,
        "the deleted user's access token to be refused",
      );
      const refresh = await fetch(`${system.base}/api/v1/auth/refresh`, {
        method: "POST",
        headers: { "x-refresh-token": `Bearer ${pair.refresh_token}` },
      });
      expect(refresh.status).toBe(401);
    }, 30_000);
  },
);
