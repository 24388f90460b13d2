import { join } from "node:path";
import { componentSpec } from "../../catalog/components.ts";
import { AuthService } from "../../gen/eco2/auth/v1/auth_pb.ts";
import { MyService } from "../../gen/eco2/my/v1/my_pb.ts";
import type { Config } from "../../lib/config/read-config.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { openSchema } from "../../lib/process/open-schema.ts";
import { startConsumer } from "../../lib/process/start-consumer.ts";
import { defineService } from "../../lib/rpc/index.ts";
import {
  loadOrCreateSigningKeys,
  parseSigningKeys,
  RevocationList,
  type SigningKeys,
} from "../../lib/tokens/index.ts";
import { authHandlers } from "./handlers.ts";
import type { ProviderConfig, ProviderName } from "./oauth-providers.ts";
import { SessionTokens } from "./session-tokens.ts";
import { consumeUserDeleted } from "./user-deleted.ts";

const spec = componentSpec("auth");
type AuthSettings = Config<typeof spec.settings> & { readonly DATA_DIR: string };

/** Keys from AUTH_JWT_PRIVATE_KEYS, else one kept under DATA_DIR so restarts keep sessions. */
function signingKeys(settings: AuthSettings): Promise<SigningKeys> {
  if (settings.AUTH_JWT_PRIVATE_KEYS) return parseSigningKeys(settings.AUTH_JWT_PRIVATE_KEYS);
  return loadOrCreateSigningKeys(join(settings.DATA_DIR, "auth", "jwt-signing-keys.json"));
}

function providers(s: AuthSettings): Record<ProviderName, ProviderConfig> {
  return {
    google: {
      clientId: s.AUTH_GOOGLE_CLIENT_ID,
      clientSecret: s.AUTH_GOOGLE_CLIENT_SECRET,
      authorizeUrl: s.AUTH_GOOGLE_AUTHORIZE_URL,
      tokenUrl: s.AUTH_GOOGLE_TOKEN_URL,
      userinfoUrl: s.AUTH_GOOGLE_USERINFO_URL,
    },
    kakao: {
      clientId: s.AUTH_KAKAO_CLIENT_ID,
      clientSecret: s.AUTH_KAKAO_CLIENT_SECRET,
      authorizeUrl: s.AUTH_KAKAO_AUTHORIZE_URL,
      tokenUrl: s.AUTH_KAKAO_TOKEN_URL,
      userinfoUrl: s.AUTH_KAKAO_USERINFO_URL,
    },
    naver: {
      clientId: s.AUTH_NAVER_CLIENT_ID,
      clientSecret: s.AUTH_NAVER_CLIENT_SECRET,
      authorizeUrl: s.AUTH_NAVER_AUTHORIZE_URL,
      tokenUrl: s.AUTH_NAVER_TOKEN_URL,
      userinfoUrl: s.AUTH_NAVER_USERINFO_URL,
    },
  };
}

/** The auth service signs users in and issues, rotates and revokes tokens. */
export const authComponent = defineComponent(spec, async (context) => {
  const settings = context.settings as AuthSettings;
  const { platform, log, shutdown } = context;
  const pool = await openSchema(context, {
    schema: "auth",
    migrations: new URL("./migrations", import.meta.url),
    inbox: true,
  });
  const refreshTtlSeconds = settings.AUTH_REFRESH_TOKEN_TTL_SECONDS;
  const accessTtlSeconds = settings.AUTH_ACCESS_TOKEN_TTL_SECONDS;
  const revocations = new RevocationList({
    cache: platform.cache,
    log,
    horizonMs: Math.max(accessTtlSeconds, refreshTtlSeconds) * 1000,
  });
  const tokens = new SessionTokens({
    keys: await signingKeys(settings),
    policy: {
      issuer: settings.AUTH_JWT_ISSUER,
      audience: settings.AUTH_JWT_AUDIENCE,
      leewaySeconds: 5,
    },
    accessTtlSeconds,
    refreshTtlSeconds,
    cache: platform.cache,
    revocations,
    log,
  });
  startConsumer(context, "auth.user_deleted", () => consumeUserDeleted(platform.bus, pool, tokens));
  shutdown.add({ name: "auth-revocations", phase: "close", run: () => revocations.stop() });
  const handlers = authHandlers({
    pool,
    cache: platform.cache,
    tokens,
    my: context.client("my", MyService),
    log,
    providers: providers(settings),
    devLogin: settings.AUTH_DEV_LOGIN,
    stateTtlSeconds: settings.AUTH_OAUTH_STATE_TTL_SECONDS,
    providerTimeoutMs: settings.AUTH_OAUTH_TIMEOUT_MS,
    defaultRedirectUri: settings.AUTH_OAUTH_REDIRECT_URI,
  });
  return { services: [defineService(AuthService, handlers)] };
});
