import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Browser } from "../support/browser.ts";
import { CLIENT, FakeOAuthServer, type FakeProvider } from "../support/fake-oauth.ts";
import { waitFor } from "../support/processes.ts";
import { type IdentitySystem, identitySkip, ORIGIN, startIdentitySystem } from "./system.ts";

const STATE_TTL_SECONDS = 3;
const FAILED = "/#/login?error=oauth_failed";

describe.skipIf(identitySkip !== undefined)(
  `OAuth login against a stand-in provider ${identitySkip ?? ""}`,
  () => {
    const provider = new FakeOAuthServer();
    let system: IdentitySystem;

    beforeAll(async () => {
      await provider.start();
      system = await startIdentitySystem({
        ...provider.settings(),
        AUTH_OAUTH_STATE_TTL_SECONDS: String(STATE_TTL_SECONDS),
        AUTH_OAUTH_TIMEOUT_MS: "1000",
        LOG_LEVEL: "warn",
      });
    }, 40_000);

    afterAll(async () => {
      system?.stop();
      await provider.stop();
    });

    /** startLogin asks the gateway for the provider's URL, as the client's login button does. */
    async function startLogin(browser: Browser, name: FakeProvider) {
      const redirect = `${system.base}/api/v1/auth/${name}/callback`;
      const response = await browser.request(
        "GET",
        `/api/v1/auth/${name}?redirect_uri=${encodeURIComponent(redirect)}`,
        { headers: { "x-frontend-origin": ORIGIN } },
      );
      expect(response.status).toBe(200);
      const { success, data } = await response.json();
      expect(success).toBe(true);
      return new URL(data.authorization_url as string);
    }

    /** consent plays the provider's login page: it answers with the callback URL and a code. */
    async function consent(authorizationUrl: URL): Promise<string> {
      const response = await fetch(authorizationUrl, { redirect: "manual" });
      expect(response.status).toBe(302);
      const callback = new URL(response.headers.get("location")!);
      return `${callback.pathname}${callback.search}`;
    }

    for (const name of ["google", "kakao", "naver"] as const) {
      it(`${name}: signs in, lands on the client's home with both cookies, and the session works`, async () => {
        provider.nextUser = {
          id: `${Date.now()}${Math.floor(Math.random() * 1000)}`,
          email: `${name}@example.com`,
          nickname: `${name} 사용자`,
          picture: "https://img.example/me.png",
        };
        const browser = new Browser(system.base, ORIGIN);
        const url = await startLogin(browser, name);
        expect(url.searchParams.get("client_id")).toBe(CLIENT.id);
        expect(url.searchParams.has("code_challenge")).toBe(name !== "naver");
        const callback = await consent(url);
        const landed = await browser.request("GET", callback);
        expect(landed.status).toBe(302);
        expect(landed.headers.get("location")).toBe(`${ORIGIN}/#/home`);
        expect(browser.cookies.has("s_access")).toBe(true);
        expect(browser.cookies.has("s_refresh")).toBe(true);
        const me = await browser.request("GET", "/api/v1/users/me");
        expect(me.status).toBe(200);
        const profile = await me.json();
        expect(profile.provider).toBe(name);
        expect(profile.nickname).toBe(`${name} 사용자`);
        expect(profile.last_login_at).not.toBeNull();
      });
    }

    it("the same provider account signs in to the same user", async () => {
      provider.nextUser = {
        id: "777001",
        email: "same@example.com",
        nickname: "같은사람",
        picture: "",
      };
      const userIds: string[] = [];
      for (let i = 0; i < 2; i++) {
        const browser = new Browser(system.base, ORIGIN);
        const callback = await consent(await startLogin(browser, "kakao"));
        const response = await fetch(`${system.base}${callback}`, {
          headers: { accept: "application/json" },
        });
        expect(response.status).toBe(200);
        userIds.push((await response.json()).user_id);
      }
      expect(userIds[0]).toBe(userIds[1]!);
    });

    async function expectFailedLogin(response: Response) {
      expect(response.status).toBe(307);
      expect(response.headers.get("location")).toEndWith(FAILED);
      expect(response.headers.getSetCookie().some((c) => c.startsWith("s_access="))).toBe(false);
    }

    it("a state from another provider's login fails to the login screen", async () => {
      const browser = new Browser(system.base, ORIGIN);
      const callback = await consent(await startLogin(browser, "kakao"));
      const mismatched = callback.replace("/auth/kakao/", "/auth/google/");
      await expectFailedLogin(await browser.request("GET", mismatched));
    });

    it("a state used twice fails the second time", async () => {
      const browser = new Browser(system.base, ORIGIN);
      const callback = await consent(await startLogin(browser, "google"));
      expect((await browser.request("GET", callback)).status).toBe(302);
      await expectFailedLogin(await new Browser(system.base, ORIGIN).request("GET", callback));
    });

    it("an expired state fails", async () => {
      const browser = new Browser(system.base, ORIGIN);
      const callback = await consent(await startLogin(browser, "naver"));
      await new Promise((resolve) => setTimeout(resolve, STATE_TTL_SECONDS * 1000 + 500));
      await expectFailedLogin(await browser.request("GET", callback));
    }, 15_000);

    it("a provider answering 5xx, or too slowly, fails with the cause in the log", async () => {
      for (const failure of ["http-500", "slow"] as const) {
        const browser = new Browser(system.base, ORIGIN);
        const callback = await consent(await startLogin(browser, "google"));
        provider.failNext = failure;
        await expectFailedLogin(await browser.request("GET", callback));
      }
      // The browser only sees the redirect; the cause is in the log.
      for (const cause of ["google token: HTTP 500", "google token: timed out after 1000 ms"]) {
        await waitFor(
          () => (system.process.output().includes(cause) ? true : undefined),
          3000,
          `"${cause}" in the log`,
        );
      }
    }, 15_000);

    it("refuses an unknown provider with 422 and a missing code with 422", async () => {
      const browser = new Browser(system.base, ORIGIN);
      expect((await browser.request("GET", "/api/v1/auth/facebook")).status).toBe(422);
      expect((await browser.request("GET", "/api/v1/auth/kakao/callback?state=x")).status).toBe(
        422,
      );
    });
  },
);
