// Signing in for end-to-end tests: the dev login of a system started with AUTH_DEV_LOGIN=true.

export interface DevSession {
  readonly user_id: string;
  readonly access_token: string;
  readonly refresh_token: string;
  /** The bearer header to send with the access token. */
  readonly headers: { readonly authorization: string };
}

/** devLogin signs `nickname` in and returns the token pair; anything but 200 throws. */
export async function devLogin(base: string, nickname: string): Promise<DevSession> {
  const response = await fetch(`${base}/api/v1/auth/dev/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ nickname }),
  });
  if (response.status !== 200)
    throw new Error(`dev login: ${response.status} ${await response.text()}`);
  const pair = (await response.json()) as Omit<DevSession, "headers">;
  return { ...pair, headers: { authorization: `Bearer ${pair.access_token}` } };
}
