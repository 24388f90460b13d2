import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import type pg from "pg";
import type { AuthService } from "../../gen/eco2/auth/v1/auth_pb.ts";
import type { MyService } from "../../gen/eco2/my/v1/my_pb.ts";
import type { Cache } from "../../lib/cache/cache.ts";
import type { Logger } from "../../lib/log/create-logger.ts";
import { domainError, type RpcClient } from "../../lib/rpc/index.ts";
import { recordLogin } from "./login-audits.ts";
import {
  authorizationUrl,
  PROVIDER_NAMES,
  type ProviderConfig,
  ProviderError,
  type ProviderName,
  signInWithCode,
  usesPkce,
} from "./oauth-providers.ts";
import { newCodeVerifier, newState, savePendingLogin, takePendingLogin } from "./oauth-state.ts";
import type { SessionTokens } from "./session-tokens.ts";

export interface AuthDependencies {
  readonly pool: pg.Pool;
  readonly cache: Cache;
  readonly tokens: SessionTokens;
  readonly my: RpcClient<typeof MyService>;
  readonly log: Logger;
  readonly providers: Readonly<Record<ProviderName, ProviderConfig>>;
  readonly devLogin: boolean;
  readonly stateTtlSeconds: number;
  readonly providerTimeoutMs: number;
  /** Callback URL when the client names none; `{p}` stands for the provider. */
  readonly defaultRedirectUri: string;
}

/** The provider a dev login is recorded under; it is no identity provider. */
export const DEV_PROVIDER = "dev";

const invalidState = () =>
  domainError(Code.InvalidArgument, "INVALID_STATE", "the login state is unknown, expired or used");

function providerNamed(name: string): ProviderName {
  if ((PROVIDER_NAMES as readonly string[]).includes(name)) return name as ProviderName;
  throw domainError(Code.InvalidArgument, "UNSUPPORTED_PROVIDER", `unknown provider: ${name}`);
}

function configuredProvider(deps: AuthDependencies, name: ProviderName): ProviderConfig {
  const config = deps.providers[name];
  if (!config.clientId) {
    throw domainError(
      Code.Unavailable,
      "OAUTH_PROVIDER_NOT_CONFIGURED",
      `${name} login is not configured`,
    );
  }
  return config;
}

/** signInUser creates or finds the user through the my service, issues a pair and audits it. */
async function signInUser(
  deps: AuthDependencies,
  login: {
    provider: string;
    providerUserId: string;
    email: string;
    nickname: string;
    profileImageUrl: string;
  },
  client: { clientIp: string; userAgent: string },
) {
  const { profile } = await deps.my.getOrCreateFromOAuth(login);
  if (!profile) throw new Error("my service answered without a profile");
  const { pair, accessJti } = await deps.tokens.issue(profile.userId, login.provider);
  await recordLogin(deps.pool, {
    userId: profile.userId,
    provider: login.provider,
    jti: accessJti,
    loginIp: client.clientIp,
    userAgent: client.userAgent,
  });
  return pair;
}

/** authHandlers implements AuthService: OAuth and dev login, refresh, logout and the JWKS. */
export function authHandlers(deps: AuthDependencies): Partial<ServiceImpl<typeof AuthService>> {
  return {
    async getAuthorizationUrl(request) {
      const provider = providerNamed(request.provider);
      const config = configuredProvider(deps, provider);
      const state = newState(request.state);
      const pkce = newCodeVerifier();
      const redirectUri = request.redirectUri || deps.defaultRedirectUri.replace("{p}", provider);
      const saved = await savePendingLogin(
        deps.cache,
        state,
        {
          provider,
          redirectUri,
          codeVerifier: pkce.verifier,
          deviceId: request.deviceId,
          frontendOrigin: request.frontendOrigin,
        },
        deps.stateTtlSeconds,
      );
      if (!saved)
        throw domainError(Code.AlreadyExists, "STATE_IN_USE", "this state is already in use");
      return {
        provider,
        state,
        authorizationUrl: authorizationUrl(provider, config, {
          state,
          redirectUri,
          codeChallenge: usesPkce(provider) ? pkce.challenge : undefined,
        }),
        expiresAt: timestampFromMs(Date.now() + deps.stateTtlSeconds * 1000),
      };
    },

    async completeOAuth(request) {
      const provider = providerNamed(request.provider);
      const config = configuredProvider(deps, provider);
      const pending = await takePendingLogin(deps.cache, request.state);
      if (!pending || pending.provider !== provider) throw invalidState();
      let profile: Awaited<ReturnType<typeof signInWithCode>>;
      try {
        profile = await signInWithCode(
          provider,
          config,
          {
            code: request.code,
            redirectUri: request.redirectUri || pending.redirectUri,
            state: request.state,
            codeVerifier: pending.codeVerifier,
          },
          deps.providerTimeoutMs,
        );
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        deps.log.warn({ err, provider }, "identity provider failed");
        throw domainError(Code.Unavailable, "OAUTH_PROVIDER_ERROR", err.message);
      }
      const tokens = await signInUser(deps, { provider, ...profile }, request);
      return { tokens, frontendOrigin: pending.frontendOrigin };
    },

    async devLogin(request) {
      if (!deps.devLogin) {
        throw domainError(Code.NotFound, "DEV_LOGIN_DISABLED", "dev login is turned off");
      }
      const nickname = request.nickname.trim();
      if (!nickname || nickname.length > 120) {
        throw domainError(
          Code.InvalidArgument,
          "INVALID_NICKNAME",
          "nickname must be 1-120 characters",
        );
      }
      const login = {
        provider: DEV_PROVIDER,
        // One nickname, one dev user: signing in again finds the same account.
        providerUserId: nickname,
        email: "",
        nickname,
        profileImageUrl: "",
      };
      return { tokens: await signInUser(deps, login, request) };
    },

    async refresh(request) {
      if (!request.refreshToken) {
        throw domainError(
          Code.Unauthenticated,
          "REFRESH_TOKEN_REQUIRED",
          "Refresh token is required",
        );
      }
      return { tokens: await deps.tokens.rotate(request.refreshToken) };
    },

    async logout(request) {
      await deps.tokens.logout(request.accessToken, request.refreshToken);
      return {};
    },

    getJwks() {
      return { jwksJson: JSON.stringify(deps.tokens.jwks()) };
    },
  };
}
