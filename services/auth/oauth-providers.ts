// The three identity providers of CONTRACT §3.1: how to send a user to each, trade the code for a
// token, and read the profile. Endpoints come from settings, so tests use a stand-in provider.

export const PROVIDER_NAMES = ["google", "kakao", "naver"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ProviderConfig {
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly userinfoUrl: string;
}

/** The profile fields the my service keeps, whatever the provider calls them. */
export interface ProviderProfile {
  readonly providerUserId: string;
  readonly email: string;
  readonly nickname: string;
  readonly profileImageUrl: string;
}

interface ProviderRules {
  /** PKCE (S256) where the provider supports it. */
  readonly pkce: boolean;
  readonly authorizeParams: Readonly<Record<string, string>>;
  /** Naver wants the state again at the token endpoint. */
  readonly stateAtTokenEndpoint: boolean;
  readonly profile: (body: unknown) => ProviderProfile | undefined;
}

type Json = Record<string, unknown>;
const record = (value: unknown): Json =>
  value !== null && typeof value === "object" ? (value as Json) : {};
const textOf = (value: unknown): string =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : "";

const RULES: Record<ProviderName, ProviderRules> = {
  google: {
    pkce: true,
    authorizeParams: {
      scope: "openid email profile",
      access_type: "offline",
      include_granted_scopes: "true",
      prompt: "consent",
    },
    stateAtTokenEndpoint: false,
    profile: (body) => {
      const json = record(body);
      return profileOrNothing(json.sub, json.email, json.given_name ?? json.name, json.picture);
    },
  },
  kakao: {
    pkce: true,
    authorizeParams: {},
    stateAtTokenEndpoint: false,
    profile: (body) => {
      const json = record(body);
      const account = record(json.kakao_account);
      const profile = record(account.profile);
      return profileOrNothing(json.id, account.email, profile.nickname, profile.profile_image_url);
    },
  },
  naver: {
    pkce: false,
    authorizeParams: { scope: "profile email" },
    stateAtTokenEndpoint: true,
    profile: (body) => {
      const json = record(record(body).response);
      return profileOrNothing(json.id, json.email, json.nickname, json.profile_image);
    },
  },
};

function profileOrNothing(
  id: unknown,
  email: unknown,
  nickname: unknown,
  image: unknown,
): ProviderProfile | undefined {
  const providerUserId = textOf(id);
  if (!providerUserId) return undefined;
  return {
    providerUserId,
    email: textOf(email),
    nickname: textOf(nickname),
    profileImageUrl: textOf(image),
  };
}

export function usesPkce(provider: ProviderName): boolean {
  return RULES[provider].pkce;
}

/** authorizationUrl is where the browser goes to sign in with the provider. */
export function authorizationUrl(
  provider: ProviderName,
  config: ProviderConfig,
  request: { state: string; redirectUri: string; codeChallenge?: string },
): string {
  const url = new URL(config.authorizeUrl);
  const params = url.searchParams;
  params.set("client_id", config.clientId ?? "");
  params.set("redirect_uri", request.redirectUri);
  params.set("response_type", "code");
  params.set("state", request.state);
  for (const [key, value] of Object.entries(RULES[provider].authorizeParams))
    params.set(key, value);
  if (RULES[provider].pkce && request.codeChallenge) {
    params.set("code_challenge", request.codeChallenge);
    params.set("code_challenge_method", "S256");
  }
  return url.toString();
}

/** ProviderError is a provider that failed or answered nonsense; the login cannot complete. */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
}

/** signInWithCode trades the authorization code for a token and reads the user's profile. */
export async function signInWithCode(
  provider: ProviderName,
  config: ProviderConfig,
  request: { code: string; redirectUri: string; state: string; codeVerifier: string },
  timeoutMs: number,
): Promise<ProviderProfile> {
  const accessToken = await exchangeCode(provider, config, request, timeoutMs);
  const body = await callProvider(
    config.userinfoUrl,
    { headers: { authorization: `Bearer ${accessToken}` } },
    timeoutMs,
    `${provider} profile`,
  );
  const profile = RULES[provider].profile(body);
  if (!profile) throw new ProviderError(`${provider} profile has no user id`);
  return profile;
}

async function exchangeCode(
  provider: ProviderName,
  config: ProviderConfig,
  request: { code: string; redirectUri: string; state: string; codeVerifier: string },
  timeoutMs: number,
): Promise<string> {
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    client_id: config.clientId ?? "",
    code: request.code,
    redirect_uri: request.redirectUri,
  });
  if (config.clientSecret) form.set("client_secret", config.clientSecret);
  if (RULES[provider].pkce) form.set("code_verifier", request.codeVerifier);
  if (RULES[provider].stateAtTokenEndpoint) form.set("state", request.state);
  const body = record(
    await callProvider(
      config.tokenUrl,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
        body: form.toString(),
      },
      timeoutMs,
      `${provider} token`,
    ),
  );
  // Naver answers a refused code with 200 and an `error` field.
  const token = textOf(body.access_token);
  if (!token) {
    throw new ProviderError(
      `${provider} token endpoint refused: ${textOf(body.error) || "no access_token"}`,
    );
  }
  return token;
}

async function callProvider(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  what: string,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { accept: "application/json", ...(init.headers as Record<string, string>) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const reason =
      (err as Error).name === "TimeoutError" ? `timed out after ${timeoutMs} ms` : String(err);
    throw new ProviderError(`${what}: ${reason}`);
  }
  const text = await response.text();
  if (!response.ok)
    throw new ProviderError(`${what}: HTTP ${response.status} ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError(`${what}: answer is not JSON`);
  }
}
