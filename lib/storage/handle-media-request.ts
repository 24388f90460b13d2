import type { ObjectStore } from "./object-store.ts";
import { verifySignedUrl } from "./signed-url.ts";

export interface MediaHandlerOptions {
  /** The local store the signed URLs were made by. */
  store: ObjectStore;
  /** The same secret the store signs with. */
  secret: string;
  /** The path the route is mounted on, e.g. `/media/`. */
  basePath: string;
  /** Largest upload accepted, in bytes. Default 10 MiB. */
  maxBytes?: number;
  /**
   * Called once an upload is stored, with its key; the response does not wait for it. Whatever it
   * starts must handle its own failures.
   */
  onStored?: (key: string) => void;
}

/**
 * handleMediaRequest serves the local store's signed URLs with web-standard Request/Response, so
 * the gateway mounts it on any runtime (`app.all("/media/*", ({ request }) => handle(request))`).
 * GET/HEAD of a valid URL serves the object (404 if absent); PUT stores the body under the signed
 * key and content type (201), then calls `onStored`. Any failed check is 403 without detail; a
 * body over `maxBytes` is 413; another method is 405.
 */
export async function handleMediaRequest(
  request: Request,
  options: MediaHandlerOptions,
): Promise<Response> {
  const method = request.method.toUpperCase();
  if (method !== "GET" && method !== "HEAD" && method !== "PUT") {
    return new Response(null, { status: 405, headers: { allow: "GET, HEAD, PUT" } });
  }
  const verdict = verifySignedUrl(request.url, {
    secret: options.secret,
    basePath: options.basePath,
    method,
    contentType: request.headers.get("content-type"),
  });
  if (!verdict.ok) return new Response(null, { status: 403 });
  if (method === "PUT") {
    const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    if (Number(request.headers.get("content-length") ?? 0) > maxBytes) {
      return new Response(null, { status: 413 });
    }
    const body = new Uint8Array(await request.arrayBuffer());
    if (body.byteLength > maxBytes) return new Response(null, { status: 413 });
    await options.store.putObject(verdict.key, body, { contentType: verdict.contentType });
    options.onStored?.(verdict.key);
    return new Response(null, { status: 201 });
  }
  const object = await options.store.getObject(verdict.key);
  if (!object) return new Response(null, { status: 404 });
  const headers = {
    "content-type": object.contentType,
    "content-length": String(object.size),
    "cache-control": "private, max-age=60",
    "x-content-type-options": "nosniff",
  };
  // A copy typed on a plain ArrayBuffer, as BodyInit requires.
  const body = method === "HEAD" ? null : new Uint8Array(object.body);
  return new Response(body, { status: 200, headers });
}
