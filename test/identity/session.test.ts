import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Browser } from "../support/browser.ts";
import {
  bearer,
  devLogin,
  type IdentitySystem,
  identitySkip,
  ORIGIN,
  startIdentitySystem,
  uniqueNickname,
} from "./system.ts";

describe.skipIf(identitySkip !== undefined)(
  `sessions through the gateway on the real servers ${identitySkip ?? ""}`,
  () => {
    let system: IdentitySystem;

    beforeAll(async () => {
      system = await startIdentitySystem();
    }, 40_000);

    afterAll(() => system?.stop());

    it("dev login → profile → nickname → refresh → replay revokes the family → logout → 403", async () => {
      const browser = new Browser(system.base, ORIGIN);
      const login = await browser.request("POST", "/api/v1/auth/dev/login", {
        json: { nickname: uniqueNickname("flow") },
      });
      expect(login.status).toBe(200);
      expect(browser.cookies.has("s_access")).toBe(true);
      expect(browser.cookies.has("s_refresh")).toBe(true);
      const firstAccess = browser.cookies.get("s_access")!;
      const firstRefresh = browser.cookies.get("s_refresh")!;

      const me = await browser.request("GET", "/api/v1/users/me");
      expect(me.status).toBe(200);
      const profile = await me.json();
      expect(profile.username).toBeTruthy();
      expect(profile.provider).toBe("dev");

      const renamed = await browser.request("PATCH", "/api/v1/users/me", {
        json: { nickname: "  분리배출왕  " },
      });
      expect(renamed.status).toBe(200);
      expect((await renamed.json()).nickname).toBe("분리배출왕");

      const refreshed = await browser.request("POST", "/api/v1/auth/refresh");
      expect(refreshed.status).toBe(201);
      expect(await refreshed.text()).toBe("null");
      const secondRefresh = browser.cookies.get("s_refresh")!;
      expect(secondRefresh).not.toBe(firstRefresh);
      expect(browser.cookies.get("s_access")).not.toBe(firstAccess);

      const replay = await fetch(`${system.base}/api/v1/auth/refresh`, {
        method: "POST",
        headers: { cookie: `s_refresh=${firstRefresh}`, origin: ORIGIN },
      });
      expect(replay.status).toBe(401);
      const newer = await fetch(`${system.base}/api/v1/auth/refresh`, {
        method: "POST",
        headers: { cookie: `s_refresh=${secondRefresh}`, origin: ORIGIN },
      });
      expect(newer.status).toBe(401);

      const logout = await browser.request("POST", "/api/v1/auth/logout");
      expect(logout.status).toBe(200);
      expect((await logout.json()).success).toBe(true);
      expect(browser.cookies.size).toBe(0);
      const old = await fetch(`${system.base}/api/v1/users/me`, { headers: bearer(firstAccess) });
      expect(old.status).toBe(403);
      expect((await old.json()).code).toBe("TOKEN_REVOKED");
    });

    it("logout revokes both tokens, and answers 200 with nothing to revoke", async () => {
      const pair = await devLogin(system.base, uniqueNickname("logout"));
      const logout = await fetch(`${system.base}/api/v1/auth/logout`, {
        method: "POST",
        headers: {
          ...bearer(pair.access_token),
          "x-refresh-token": `Bearer ${pair.refresh_token}`,
        },
      });
      expect(logout.status).toBe(200);
      const me = await fetch(`${system.base}/api/v1/users/me`, {
        headers: bearer(pair.access_token),
      });
      expect(me.status).toBe(403);
      const refresh = await fetch(`${system.base}/api/v1/auth/refresh`, {
        method: "POST",
        headers: { "x-refresh-token": `Bearer ${pair.refresh_token}` },
      });
      expect(refresh.status).toBe(401);
      const nothingToRevoke: Record<string, string>[] = [
        {},
        { cookie: "s_access=garbage; s_refresh=also-garbage" },
      ];
      for (const headers of nothingToRevoke) {
        const again = await fetch(`${system.base}/api/v1/auth/logout`, { method: "POST", headers });
        expect(again.status).toBe(200);
        expect(again.headers.getSetCookie().some((c) => c.startsWith("s_access=;"))).toBe(true);
      }
    });

    it("a non-browser client refreshes with headers and gets the new pair as JSON", async () => {
      const pair = await devLogin(system.base, uniqueNickname("bearer"));
      const response = await fetch(`${system.base}/api/v1/auth/refresh`, {
        method: "POST",
        headers: { "x-refresh-token": `Bearer ${pair.refresh_token}` },
      });
      expect(response.status).toBe(201);
      const next = await response.json();
      expect(next.token_type).toBe("Bearer");
      expect(next.refresh_token).not.toBe(pair.refresh_token);
      const me = await fetch(`${system.base}/api/v1/users/me`, {
        headers: bearer(next.access_token),
      });
      expect(me.status).toBe(200);
    });

    it("refuses a cookie change without an allowed Origin, and lets the bearer one through", async () => {
      const browser = new Browser(system.base, ORIGIN);
      await browser.request("POST", "/api/v1/auth/dev/login", {
        json: { nickname: uniqueNickname("csrf") },
      });
      const noOrigin = await browser.request("PATCH", "/api/v1/users/me", {
        json: { nickname: "공격" },
        noOrigin: true,
      });
      expect(noOrigin.status).toBe(400);
      expect((await noOrigin.json()).code).toBe("CSRF_ORIGIN_REJECTED");
      const foreign = await browser.request("PATCH", "/api/v1/users/me", {
        json: { nickname: "공격" },
        headers: { origin: "https://evil.example" },
      });
      expect(foreign.status).toBe(400);
      const fromReferer = await browser.request("PATCH", "/api/v1/users/me", {
        json: { nickname: "리퍼러" },
        noOrigin: true,
        headers: { referer: `${ORIGIN}/#/my/edit` },
      });
      expect(fromReferer.status).toBe(200);
      // The gateway's own pages (the demo page at /) are same-origin: their Origin is the gateway's.
      const sameOrigin = await browser.request("PATCH", "/api/v1/users/me", {
        json: { nickname: "데모" },
        headers: { origin: new URL(system.base).origin },
      });
      expect(sameOrigin.status).toBe(200);
      const access = browser.cookies.get("s_access")!;
      const withBearer = await fetch(`${system.base}/api/v1/users/me`, {
        method: "PATCH",
        headers: { ...bearer(access), "content-type": "application/json" },
        body: JSON.stringify({ nickname: "베어러" }),
      });
      expect(withBearer.status).toBe(200);
      expect((await withBearer.json()).nickname).toBe("베어러");
    });

    it("keeps the profile rules: phone numbers, no-change, conflicts, characters, ownership", async () => {
      const pair = await devLogin(system.base, uniqueNickname("rules"));
      const patch = (body: unknown) =>
        fetch(`${system.base}/api/v1/users/me`, {
          method: "PATCH",
          headers: { ...bearer(pair.access_token), "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const nothing = await patch({ nickname: null, phone_number: null });
      expect(nothing.status).toBe(422);
      expect((await nothing.json()).code).toBe("NO_CHANGES_PROVIDED");
      const landline = await patch({ phone_number: "02-1234-5678" });
      expect(landline.status).toBe(422);
      expect((await landline.json()).code).toBe("INVALID_PHONE_NUMBER");
      const phone = `010${String(Date.now()).slice(-8)}`;
      const mobile = await patch({ phone_number: `+82 ${phone.slice(1)}` });
      expect(mobile.status).toBe(200);
      expect((await mobile.json()).phone_number).toBe(
        `${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`,
      );
      const other = await devLogin(system.base, uniqueNickname("rules-other"));
      const taken = await fetch(`${system.base}/api/v1/users/me`, {
        method: "PATCH",
        headers: { ...bearer(other.access_token), "content-type": "application/json" },
        body: JSON.stringify({ phone_number: phone }),
      });
      expect(taken.status).toBe(409);
      expect((await taken.json()).code).toBe("PHONE_NUMBER_IN_USE");

      const characters = await fetch(`${system.base}/api/v1/users/me/characters`, {
        headers: bearer(pair.access_token),
      });
      expect(characters.status).toBe(200);
      const list = await characters.json();
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ code: "char-eco", name: "이코" });
      const ownership = async (name: string) =>
        (
          await (
            await fetch(
              `${system.base}/api/v1/users/me/characters/${encodeURIComponent(name)}/ownership`,
              { headers: bearer(pair.access_token) },
            )
          ).json()
        ).owned;
      expect(await ownership("이코")).toBe(true);
      expect(await ownership("페티")).toBe(false);
    });

    it("of 200 concurrent refreshes with one token, exactly one succeeds", async () => {
      const pair = await devLogin(system.base, uniqueNickname("race"));
      const statuses = await Promise.all(
        Array.from({ length: 200 }, () =>
          fetch(`${system.base}/api/v1/auth/refresh`, {
            method: "POST",
            headers: { "x-refresh-token": `Bearer ${pair.refresh_token}` },
          }).then((response) => response.status),
        ),
      );
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 401)).toHaveLength(199);
    }, 30_000);
  },
);
