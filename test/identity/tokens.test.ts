import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { importJWK, type JWK, SignJWT } from "jose";
import { generateSigningKeyJwk } from "../../lib/tokens/index.ts";
import {
  bearer,
  devLogin,
  type IdentitySystem,
  identitySkip,
  startIdentitySystem,
  uniqueNickname,
} from "./system.ts";

const ISSUER = "api.dev.growbin.app/api/v1/auth";
const AUDIENCE = "api";

/** forge signs claims the way the auth service does, with any key, kid and overrides. */
async function forge(
  key: JWK,
  sub: string,
  overrides: { iss?: string; aud?: string; exp?: number; nbf?: number; kid?: string } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ type: "access", provider: "dev", fam: "forged" })
    .setProtectedHeader({ alg: "EdDSA", kid: overrides.kid ?? key.kid!, typ: "JWT" })
    .setSubject(sub)
    .setJti(crypto.randomUUID())
    .setIssuer(overrides.iss ?? ISSUER)
    .setAudience(overrides.aud ?? AUDIENCE)
    .setIssuedAt(now)
    .setNotBefore(overrides.nbf ?? now)
    .setExpirationTime(overrides.exp ?? now + 600)
    .sign(await importJWK(key, "EdDSA"));
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe.skipIf(identitySkip !== undefined)(
  `hostile tokens through the gateway ${identitySkip ?? ""}`,
  () => {
    let system: IdentitySystem;
    let userId: string;
    let valid: string;

    beforeAll(async () => {
      system = await startIdentitySystem();
      const pair = await devLogin(system.base, uniqueNickname("hostile"));
      userId = pair.user_id;
      valid = pair.access_token;
    }, 40_000);

    afterAll(() => system?.stop());

    const status = async (headers: Record<string, string>) => {
      const response = await fetch(`${system.base}/api/v1/users/me`, { headers });
      return { status: response.status, body: await response.text() };
    };

    it("accepts the real thing, and a token it forged with the real key (the test's control)", async () => {
      expect((await status(bearer(valid))).status).toBe(200);
      expect((await status(bearer(await forge(system.signingKey, userId)))).status).toBe(200);
    });

    it("answers 401, never 500, for every kind of bad token", async () => {
      const key = system.signingKey;
      const now = Math.floor(Date.now() / 1000);
      const [header, payload, signature] = valid.split(".") as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
      const publicKey = new TextEncoder().encode(
        JSON.stringify({ kty: key.kty, crv: key.crv, x: key.x }),
      );
      const hostile: Record<string, string> = {
        malformed: "not.a.jwt",
        garbage: "eyJ!!!.???.***",
        "alg none": `${b64({ alg: "none", typ: "JWT" })}.${payload}.`,
        "HS256 signed with the public key": await new SignJWT(claims)
          .setProtectedHeader({ alg: "HS256", kid: key.kid! })
          .sign(publicKey),
        expired: await forge(key, userId, { exp: now - 120 }),
        "future nbf": await forge(key, userId, { nbf: now + 3600 }),
        "wrong aud": await forge(key, userId, { aud: "someone-else" }),
        "wrong iss": await forge(key, userId, { iss: "https://evil.example" }),
        "unknown kid": await forge(await generateSigningKeyJwk(), userId),
        "known kid, foreign key": await forge(await generateSigningKeyJwk(), userId, {
          kid: key.kid,
        }),
        "tampered payload": `${header}.${b64({ ...claims, sub: "00000000-0000-0000-0000-000000000000" })}.${signature}`,
        "refresh token as access": (await devLogin(system.base, uniqueNickname("typ")))
          .refresh_token,
      };
      for (const [name, token] of Object.entries(hostile)) {
        const answer = await status(bearer(token));
        expect({ name, status: answer.status }).toEqual({ name, status: 401 });
        const viaCookie = await status({ cookie: `s_access=${token}` });
        expect({ name, status: viaCookie.status }).toEqual({ name, status: 401 });
      }
      const expired = JSON.parse((await status(bearer(hostile.expired!))).body);
      expect(expired.code).toBe("TOKEN_EXPIRED");
    });

    it("turns a 16 KB cookie away without a 500", async () => {
      const answer = await status({ cookie: `s_access=${"a".repeat(16 * 1024)}` });
      expect([401, 431]).toContain(answer.status);
    });

    it("still serves the real token afterwards", async () => {
      expect((await status(bearer(valid))).status).toBe(200);
    });
  },
);
