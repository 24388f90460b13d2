// A stand-in for Google, Kakao and Naver's OAuth 2.0 servers, speaking each one's real token and
// profile formats: it checks the client, the redirect URI, one-time codes and PKCE (S256) as the
// real ones do, so the auth service's login is tested against the wire format, not a mock.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export type FakeProvider = "google" | "kakao" | "naver";

export interface FakeUser {
  readonly id: string;
  readonly email: string;
  readonly nickname: string;
  readonly picture: string;
}

interface IssuedCode {
  readonly provider: FakeProvider;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string | null;
  readonly state: string;
  readonly user: FakeUser;
}

export const CLIENT = { id: "eco2-client", secret: "eco2-secret" };

export class FakeOAuthServer {
  readonly #codes = new Map<string, IssuedCode>();
  readonly #tokens = new Map<string, { provider: FakeProvider; user: FakeUser }>();
  #server: Server | undefined;
  /** The next token request fails this way. */
  failNext: "http-500" | "slow" | undefined;
  /** The user the next authorization signs in as. */
  nextUser: FakeUser = {
    id: "10001",
    email: "user@example.com",
    nickname: "재활용러",
    picture: "https://img.example/p.png",
  };
  port = 0;

  async start(): Promise<void> {
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((err) => send(response, 500, { error: String(err) }));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    const address = this.#server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  /** The auth service's settings that point it here. */
  settings(): Record<string, string> {
    const base = `http://127.0.0.1:${this.port}`;
    const settings: Record<string, string> = {};
    for (const provider of ["google", "kakao", "naver"] as const) {
      const prefix = `AUTH_${provider.toUpperCase()}`;
      settings[`${prefix}_CLIENT_ID`] = CLIENT.id;
      settings[`${prefix}_CLIENT_SECRET`] = CLIENT.secret;
      settings[`${prefix}_AUTHORIZE_URL`] = `${base}/${provider}/authorize`;
      settings[`${prefix}_TOKEN_URL`] = `${base}/${provider}/token`;
      settings[`${prefix}_USERINFO_URL`] = `${base}/${provider}/userinfo`;
    }
    return settings;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://fake");
    const [, provider, endpoint] = url.pathname.split("/") as [string, FakeProvider, string];
    if (endpoint === "authorize") return this.#authorize(provider, url, response);
    if (endpoint === "token")
      return this.#token(provider, new URLSearchParams(await body(request)), response);
    if (endpoint === "userinfo") return this.#userinfo(provider, request, response);
    send(response, 404, { error: "not_found" });
  }

  /** The consent screen, already agreed to: back to the client with a one-time code. */
  #authorize(provider: FakeProvider, url: URL, response: ServerResponse): void {
    const params = url.searchParams;
    if (params.get("client_id") !== CLIENT.id || params.get("response_type") !== "code") {
      send(response, 400, { error: "invalid_request" });
      return;
    }
    const wantsPkce = provider !== "naver";
    const challenge = params.get("code_challenge");
    if (wantsPkce && (!challenge || params.get("code_challenge_method") !== "S256")) {
      send(response, 400, { error: "invalid_request", error_description: "PKCE required" });
      return;
    }
    const code = randomBytes(16).toString("hex");
    this.#codes.set(code, {
      provider,
      clientId: CLIENT.id,
      redirectUri: params.get("redirect_uri") ?? "",
      challenge: wantsPkce ? challenge : null,
      state: params.get("state") ?? "",
      user: this.nextUser,
    });
    const back = new URL(params.get("redirect_uri") ?? "");
    back.searchParams.set("code", code);
    back.searchParams.set("state", params.get("state") ?? "");
    response.writeHead(302, { location: back.toString() }).end();
  }

  async #token(provider: FakeProvider, form: URLSearchParams, response: ServerResponse) {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure === "http-500") return send(response, 500, { error: "server_error" });
    if (failure === "slow") await new Promise((resolve) => setTimeout(resolve, 3000));
    const issued = this.#codes.get(form.get("code") ?? "");
    this.#codes.delete(form.get("code") ?? "");
    const problem = tokenProblem(provider, issued, form);
    if (problem) {
      // Naver reports a refused code with 200 and an error field; the others with 400.
      return send(response, provider === "naver" ? 200 : 400, {
        error: "invalid_grant",
        error_description: problem,
      });
    }
    const accessToken = randomBytes(24).toString("base64url");
    this.#tokens.set(accessToken, { provider, user: issued!.user });
    send(response, 200, tokenAnswer(provider, accessToken));
  }

  #userinfo(provider: FakeProvider, request: IncomingMessage, response: ServerResponse): void {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "";
    const known = this.#tokens.get(token);
    if (!known || known.provider !== provider) {
      send(response, 401, { error: "invalid_token" });
      return;
    }
    send(response, 200, profileAnswer(provider, known.user));
  }
}

function tokenProblem(
  provider: FakeProvider,
  issued: IssuedCode | undefined,
  form: URLSearchParams,
): string | undefined {
  if (form.get("grant_type") !== "authorization_code") return "grant_type";
  if (!issued || issued.provider !== provider) return "unknown or used code";
  if (form.get("client_id") !== issued.clientId) return "client_id";
  if (provider !== "kakao" && form.get("client_secret") !== CLIENT.secret) return "client_secret";
  if (provider !== "naver" && form.get("redirect_uri") !== issued.redirectUri)
    return "redirect_uri";
  if (provider === "naver" && form.get("state") !== issued.state) return "state";
  if (issued.challenge) {
    const verifier = form.get("code_verifier") ?? "";
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    if (challenge !== issued.challenge) return "code_verifier";
  }
  return undefined;
}

function tokenAnswer(provider: FakeProvider, accessToken: string): Record<string, unknown> {
  switch (provider) {
    case "google":
      return {
        access_token: accessToken,
        expires_in: 3599,
        scope: "openid https://www.googleapis.com/auth/userinfo.email",
        token_type: "Bearer",
        id_token: "eyJ.fake.idtoken",
      };
    case "kakao":
      return {
        token_type: "bearer",
        access_token: accessToken,
        expires_in: 21599,
        refresh_token: "kakao-refresh",
        refresh_token_expires_in: 5183999,
      };
    case "naver":
      return {
        access_token: accessToken,
        refresh_token: "naver-refresh",
        token_type: "bearer",
        expires_in: "3600",
      };
  }
}

function profileAnswer(provider: FakeProvider, user: FakeUser): Record<string, unknown> {
  switch (provider) {
    case "google":
      return {
        sub: user.id,
        name: `${user.nickname} 전체이름`,
        given_name: user.nickname,
        picture: user.picture,
        email: user.email,
        email_verified: true,
      };
    case "kakao":
      return {
        id: Number(user.id),
        connected_at: "2026-11-28T00:00:00Z",
        kakao_account: {
          profile_nickname_needs_agreement: false,
          profile: {
            nickname: user.nickname,
            profile_image_url: user.picture,
            is_default_image: false,
          },
          has_email: true,
          email: user.email,
        },
      };
    case "naver":
      return {
        resultcode: "00",
        message: "success",
        response: {
          id: user.id,
          nickname: user.nickname,
          profile_image: user.picture,
          email: user.email,
        },
      };
  }
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    request.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on("end", () => resolve(text));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, json: unknown): void {
  response
    .writeHead(status, { "content-type": "application/json;charset=UTF-8" })
    .end(JSON.stringify(json));
}
