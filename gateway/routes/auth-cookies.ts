import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { Cookie } from "elysia";
import type { TokenPair } from "../../gen/eco2/auth/v1/auth_pb.ts";

/** The browser contract's cookie names (CONTRACT §2.1). */
export const ACCESS_COOKIE = "s_access";
export const REFRESH_COOKIE = "s_refresh";

export interface SessionCookieOptions {
  /** Send the cookies with `Secure`. Default true; turn off only for local plain-http runs. */
  secure: boolean;
  /** `Domain` attribute, e.g. ".dev.growbin.app"; default none (host-only cookie). */
  domain?: string;
}

type CookieJar = Record<string, Cookie<unknown>>;

// Max-Age = exp − now, at least 1 s, so the browser drops a cookie when its token expires.
function maxAgeSeconds(expiresAt: TokenPair["accessExpiresAt"]): number | undefined {
  if (!expiresAt) return undefined;
  return Math.max(1, Math.floor((timestampMs(expiresAt) - Date.now()) / 1000));
}

function attributes(options: SessionCookieOptions) {
  return {
    httpOnly: true,
    secure: options.secure,
    sameSite: "lax" as const,
    path: "/",
    ...(options.domain ? { domain: options.domain } : {}),
  };
}

/** setSessionCookies puts a freshly issued token pair into `s_access` and `s_refresh`. */
export function setSessionCookies(
  cookie: CookieJar,
  tokens: TokenPair,
  options: SessionCookieOptions,
): void {
  cookie[ACCESS_COOKIE]!.set({
    value: tokens.accessToken,
    maxAge: maxAgeSeconds(tokens.accessExpiresAt),
    ...attributes(options),
  });
  cookie[REFRESH_COOKIE]!.set({
    value: tokens.refreshToken,
    maxAge: maxAgeSeconds(tokens.refreshExpiresAt),
    ...attributes(options),
  });
}

/** clearSessionCookies deletes both cookies with the same Domain and Path they were set with. */
export function clearSessionCookies(cookie: CookieJar, options: SessionCookieOptions): void {
  for (const name of [ACCESS_COOKIE, REFRESH_COOKIE]) {
    cookie[name]!.set({ value: "", maxAge: 0, expires: new Date(0), ...attributes(options) });
  }
}

/** bearer reads the token from an `Authorization`-style header value ("Bearer <token>"). */
export function bearer(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? "";
}

/** cookieText reads a cookie as the raw string the browser sent (empty when absent). */
export function cookieText(cookie: CookieJar, name: string): string {
  const value = cookie[name]?.value;
  return typeof value === "string" ? value : value == null ? "" : String(value);
}
