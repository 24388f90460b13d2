// What a client does around a scan: sign in, upload through I1 and the signed PUT, submit S1,
// follow the SSE stream and read S2. Shared by the scan suites and the scan benchmark.

import { devLogin } from "../support/dev-login.ts";
import { readEvents } from "../support/sse.ts";

export interface ScanUser {
  readonly id: string;
  readonly headers: Record<string, string>;
}

/** signIn makes a fresh user (a unique nickname) through dev login. */
export async function signIn(base: string, nickname: string): Promise<ScanUser> {
  const unique = `${nickname}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const session = await devLogin(base, unique);
  return { id: session.user_id, headers: session.headers };
}

/** upload runs I1 and the signed PUT and returns the image's cdn_url. */
export async function upload(
  base: string,
  user: ScanUser,
  bytes: Uint8Array,
  contentType: string,
): Promise<string> {
  const issued = await fetch(`${base}/api/v1/images/scan`, {
    method: "POST",
    headers: { ...user.headers, "content-type": "application/json" },
    body: JSON.stringify({ filename: "photo.jpg", content_type: contentType }),
  });
  if (issued.status !== 200) throw new Error(`I1: ${issued.status} ${await issued.text()}`);
  const { upload_url, required_headers, cdn_url } = (await issued.json()) as {
    upload_url: string;
    required_headers: Record<string, string>;
    cdn_url: string;
  };
  // The signed URL names the public base; the test reaches the same gateway on loopback.
  const put = await fetch(
    new URL(new URL(upload_url).pathname + new URL(upload_url).search, base),
    {
      method: "PUT",
      headers: required_headers,
      body: new Uint8Array(bytes),
    },
  );
  if (put.status !== 201) throw new Error(`PUT: ${put.status} ${await put.text()}`);
  return cdn_url;
}

export async function submit(
  base: string,
  user: ScanUser,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${base}/api/v1/scan`, {
    method: "POST",
    headers: { ...user.headers, ...headers, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: checked field by field.
  return { status: response.status, body: (await response.json()) as any };
}

/** follow reads the job's SSE stream until done or an error event. */
export async function follow(base: string, user: ScanUser, jobId: string, lastEventId?: string) {
  const response = await fetch(`${base}/api/v1/scan/${jobId}/events`, {
    headers: { ...user.headers, ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
  });
  if (response.status !== 200) return { status: response.status, events: [] };
  const events = await readEvents(
    response,
    (event) =>
      event.event === "error" || (event.event === "done" && event.data?.status === "completed"),
    60_000,
  );
  return { status: 200, events };
}

export async function result(base: string, user: ScanUser, jobId: string) {
  const response = await fetch(`${base}/api/v1/scan/${jobId}/result`, { headers: user.headers });
  return {
    status: response.status,
    headers: response.headers,
    // biome-ignore lint/suspicious/noExplicitAny: checked field by field.
    body: (await response.json()) as any,
  };
}
