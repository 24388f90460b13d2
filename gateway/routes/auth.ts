import { Elysia, t } from "elysia";
import { DEFAULT_FRONTEND_URL } from "../../catalog/defaults.ts";
import type { TokenPair } from "../../gen/eco2/auth/v1/auth_pb.ts";
import { currentContext } from "../../lib/context/request-context.ts";
import type { Logger } from "../../lib/log/create-logger.ts";
import { ApiError } from "../api-error.ts";
import type { ServiceClients } from "../clients.ts";
import {
  ACCESS_COOKIE,
  bearer,
  clearSessionCookies,
  cookieText,
  REFRESH_COOKIE,
  type SessionCookieOptions,
  setSessionCookies,
} from "./auth-cookies.ts";
import { isoTime } from "./wire.ts";

export interface AuthRouteOptions {
  /** Where the browser lands when no (allowed) origin is known. Default https://frontend1.dev.growbin.app. */
  frontendUrl: string;
  /**
   * Frontend origins the login may send the browser back to (the CORS allow-list). Any other
   * origin, from X-Frontend-Origin or stored with the OAuth state, falls back to frontendUrl, so the
   * callback is no open redirect. Default: none besides frontendUrl.
   */
  allowedOrigins: readonly string[];
  cookie: SessionCookieOptions;
  /** Receives the reason of a failed OAuth callback, which the browser only sees as a redirect. */
  log?: Logger;
  /** Mount `POST /dev/login` (AUTH_DEV_LOGIN); off unless asked for. */
  devLogin: boolean;
}

/** authRouteOptions fills in the defaults of AuthRouteOptions. */
export function authRouteOptions(partial: Partial<AuthRouteOptions> = {}): AuthRouteOptions {
  return {
    frontendUrl: (partial.frontendUrl ?? DEFAULT_FRONTEND_URL).replace(/\/+$/, ""),
    allowedOrigins: partial.allowedOrigins ?? [],
    cookie: partial.cookie ?? { secure: true },
    log: partial.log,
    devLogin: partial.devLogin ?? false,
  };
}

const provider = t.Object({ provider: t.UnionEnum(["google", "kakao", "naver"]) });

const loginQuery = t.Object({
  redirect_uri: t.Optional(t.String()),
  device_id: t.Optional(t.String()),
  frontend_origin: t.Optional(t.String()),
});

const frontendHeader = t.Object({ "x-frontend-origin": t.Optional(t.String()) });

const authorizationUrl = t.Object({
  provider: t.String(),
  state: t.String(),
  authorization_url: t.String(),
  expires_at: t.String({ format: "date-time" }),
});

const tokenPairBody = t.Object({
  user_id: t.String(),
  provider: t.String(),
  token_type: t.Literal("Bearer"),
  access_token: t.String(),
  refresh_token: t.String(),
  access_expires_at: t.String({ format: "date-time" }),
  refresh_expires_at: t.String({ format: "date-time" }),
});

/** tokenPairJson is the pair as non-browser clients receive it (CONTRACT A.3). */
function tokenPairJson(tokens: TokenPair): typeof tokenPairBody.static {
  return {
    user_id: tokens.userId,
    provider: tokens.provider,
    token_type: "Bearer",
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    access_expires_at: isoTime(tokens.accessExpiresAt),
    refresh_expires_at: isoTime(tokens.refreshExpiresAt),
  };
}

/** wantsJson: a client that asks for JSON first is no browser following a redirect. */
function wantsJson(request: Request): boolean {
  return (request.headers.get("accept") ?? "").trim().startsWith("application/json");
}

function requireTokens(tokens: TokenPair | undefined): TokenPair {
  if (!tokens) throw new Error("auth service answered without a token pair");
  return tokens;
}

// Logins are audited with the client's address (as the gateway trusts it) and user agent.
function clientOf(request: Request) {
  return {
    clientIp: currentContext()?.clientIp ?? "",
    userAgent: request.headers.get("user-agent") ?? "",
  };
}

/**
 * authRoutes are the login, token and key routes under /api/v1/auth (CONTRACT A1–A5, A.2, A.5).
 * They turn the auth service's token pairs into the browser's `s_access`/`s_refresh` cookies; the
 * tokens themselves are verified by the service, not here.
 */
export function authRoutes(clients: ServiceClients, partial: Partial<AuthRouteOptions> = {}) {
  const options = authRouteOptions(partial);
  const allowed = new Set([options.frontendUrl, ...options.allowedOrigins]);
  const originOr = (origin: string | undefined, fallback: string) =>
    origin && allowed.has(origin.replace(/\/+$/, "")) ? origin.replace(/\/+$/, "") : fallback;

  const startLogin = (
    params: typeof provider.static,
    query: typeof loginQuery.static & { state?: string },
    headers: typeof frontendHeader.static,
  ) =>
    clients.auth.getAuthorizationUrl({
      provider: params.provider,
      redirectUri: query.redirect_uri ?? "",
      deviceId: query.device_id ?? "",
      // The contract lets the query win over the header.
      frontendOrigin: query.frontend_origin ?? headers["x-frontend-origin"] ?? "",
      state: query.state ?? "",
    });

  const wrappedLogin = async ({
    params,
    query,
    headers,
  }: {
    params: typeof provider.static;
    query: typeof loginQuery.static;
    headers: typeof frontendHeader.static;
  }) => {
    const answer = await startLogin(params, query, headers);
    return {
      success: true as const,
      data: {
        provider: answer.provider,
        state: answer.state,
        authorization_url: answer.authorizationUrl,
        expires_at: isoTime(answer.expiresAt),
      },
    };
  };
  const wrappedLoginSchema = {
    params: provider,
    query: loginQuery,
    headers: frontendHeader,
    response: t.Object({ success: t.Literal(true), data: authorizationUrl }),
  };

  return new Elysia({
    name: "eco2/routes/auth",
    prefix: "/api/v1/auth",
    detail: { tags: ["auth"] },
  })
    .get("/:provider", wrappedLogin, {
      ...wrappedLoginSchema,
      detail: { summary: "Start an OAuth login: the provider's authorization URL (A1)" },
    })
    .get("/:provider/login", wrappedLogin, {
      ...wrappedLoginSchema,
      detail: { summary: "Alias of GET /api/v1/auth/{provider} (A1)" },
    })
    .get(
      "/:provider/authorize",
      async ({ params, query, headers }) => {
        const answer = await startLogin(params, query, headers);
        return { authorization_url: answer.authorizationUrl, state: answer.state };
      },
      {
        params: provider,
        query: t.Object({ ...loginQuery.properties, state: t.Optional(t.String()) }),
        headers: frontendHeader,
        response: t.Object({ authorization_url: t.String(), state: t.String() }),
        detail: { summary: "The authorization URL without the {success, data} wrapper (A2)" },
      },
    )
    .get(
      "/:provider/callback",
      async ({ params, query, headers, request, cookie, redirect }) => {
        const answer = clients.auth.completeOAuth({
          provider: params.provider,
          code: query.code,
          state: query.state,
          redirectUri: query.redirect_uri ?? "",
          ...clientOf(request),
        });
        // A non-browser client takes the pair as JSON, and a failure as the usual error body.
        if (wantsJson(request)) return tokenPairJson(requireTokens((await answer).tokens));
        // Any failure sends the browser back to the login screen; it cannot show a JSON error.
        const failed = `${originOr(headers["x-frontend-origin"], options.frontendUrl)}/#/login?error=oauth_failed`;
        try {
          const { tokens, frontendOrigin } = await answer;
          setSessionCookies(cookie, requireTokens(tokens), options.cookie);
          return redirect(`${originOr(frontendOrigin, options.frontendUrl)}/#/home`, 302);
        } catch (err) {
          // The cause (provider failure, bad state) is logged where it happened; this says where
          // the browser went.
          options.log?.warn(
            { reason: err instanceof Error ? err.message : String(err), provider: params.provider },
            "oauth callback failed; sent the browser back to the login screen",
          );
          return redirect(failed, 307);
        }
      },
      {
        params: provider,
        query: t.Object({
          code: t.String(),
          state: t.String(),
          redirect_uri: t.Optional(t.String()),
        }),
        headers: frontendHeader,
        detail: {
          summary:
            "OAuth callback: 302 to {origin}/#/home with cookies, 307 to the login on failure (A3)",
          responses: {
            200: {
              description: "With Accept: application/json, the token pair (non-browser clients)",
            },
            302: { description: "Signed in: cookies set, Location {origin}/#/home" },
            307: { description: "Any failure: Location {frontend}/#/login?error=oauth_failed" },
          },
        },
      },
    )
    .post(
      "/refresh",
      async ({ cookie, headers }) => {
        // Cookie first (browsers), then the non-browser headers, as the original edge rewrote them.
        const fromCookie = cookieText(cookie, REFRESH_COOKIE);
        const refreshToken =
          fromCookie || bearer(headers["x-refresh-token"]) || bearer(headers.authorization);
        if (!refreshToken) {
          throw new ApiError(401, "REFRESH_TOKEN_REQUIRED", "Refresh token is required");
        }
        const tokens = requireTokens((await clients.auth.refresh({ refreshToken })).tokens);
        // A client that sent the token in a header keeps no cookies: it gets the pair as JSON.
        if (!fromCookie) {
          return new Response(JSON.stringify(tokenPairJson(tokens)), {
            status: 201,
            headers: { "content-type": "application/json" },
          });
        }
        setSessionCookies(cookie, tokens, options.cookie);
        // The contract's body is the JSON literal null (the client ignores it).
        return new Response("null", {
          status: 201,
          headers: { "content-type": "application/json" },
        });
      },
      {
        headers: t.Object({
          "x-refresh-token": t.Optional(t.String()),
          authorization: t.Optional(t.String()),
        }),
        detail: {
          summary: "Rotate the refresh token: 201, body null, new cookies (A4)",
          responses: {
            201: {
              description:
                "The JSON literal null with new s_access and s_refresh; the token pair as JSON when the refresh token came in a header",
            },
          },
        },
      },
    )
    .post(
      "/logout",
      async ({ cookie, headers }) => {
        const accessToken = cookieText(cookie, ACCESS_COOKIE) || bearer(headers.authorization);
        const refreshToken =
          cookieText(cookie, REFRESH_COOKIE) || bearer(headers["x-refresh-token"]);
        // Best-effort (CONTRACT §2.1): the cookies go and the answer is 200 whatever happens, so
        // the client never gets stuck logging out; a failed revocation is logged.
        if (accessToken || refreshToken) {
          await clients.auth.logout({ accessToken, refreshToken }).catch((err: unknown) => {
            options.log?.error({ err }, "logout: revocation failed");
          });
        }
        clearSessionCookies(cookie, options.cookie);
        return { success: true as const, data: { message: "Successfully logged out" } };
      },
      {
        headers: t.Object({
          "x-refresh-token": t.Optional(t.String()),
          authorization: t.Optional(t.String()),
        }),
        response: t.Object({
          success: t.Literal(true),
          data: t.Object({ message: t.String() }),
        }),
        detail: { summary: "Revoke both tokens and delete the cookies (A5)" },
      },
    )
    .use(options.devLogin ? devLoginRoute(clients, options) : new Elysia())
    .get(
      "/.well-known/jwks.json",
      async ({ set }) => {
        const answer = await clients.auth.getJwks({});
        // Verifiers may cache the keys briefly; rotation keeps old keys published long enough.
        set.headers["cache-control"] = "public, max-age=300";
        return JSON.parse(answer.jwksJson) as { keys: Record<string, unknown>[] };
      },
      {
        response: t.Object({ keys: t.Array(t.Record(t.String(), t.Unknown())) }),
        detail: { summary: "The public signing keys (JWK Set)" },
      },
    );
}

/** devLoginRoute signs a user in by nickname; mounted only when AUTH_DEV_LOGIN=true (A.5). */
function devLoginRoute(clients: ServiceClients, options: AuthRouteOptions) {
  // Mounted inside authRoutes, so its path is relative to /api/v1/auth.
  return new Elysia({ name: "eco2/routes/dev-login", detail: { tags: ["auth"] } }).post(
    "/dev/login",
    async ({ body, request, cookie }) => {
      const answer = await clients.auth.devLogin({ nickname: body.nickname, ...clientOf(request) });
      const tokens = requireTokens(answer.tokens);
      setSessionCookies(cookie, tokens, options.cookie);
      // Non-browser clients (CONTRACT A.3) take the pair from the body instead of the cookies.
      return tokenPairJson(tokens);
    },
    {
      body: t.Object({ nickname: t.String({ minLength: 1, maxLength: 120 }) }),
      response: tokenPairBody,
      detail: {
        summary: "Local login by nickname when AUTH_DEV_LOGIN=true: cookies plus the token pair",
      },
    },
  );
}
