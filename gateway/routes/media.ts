import { Elysia } from "elysia";
import { handleMediaRequest } from "../../lib/storage/handle-media-request.ts";
import type { ObjectStore } from "../../lib/storage/object-store.ts";

export interface MediaRouteOptions {
  readonly store: ObjectStore;
  readonly secret: string;
  /** Where the route is mounted, e.g. `/media/`. */
  readonly basePath: string;
  /** Largest upload, in bytes. */
  readonly maxBytes?: number;
  /** Called with the key of each stored upload, without holding up the response. */
  readonly onStored?: (key: string) => void;
}

/**
 * mediaRoutes serve the local object store's signed URLs: the PUT a client uploads to and the GET
 * that serves the object, each checked against its HMAC signature and expiry. With objects in S3,
 * clients talk to S3 directly and this route does not exist.
 */
export function mediaRoutes(options: MediaRouteOptions | undefined) {
  const app = new Elysia({ name: "eco2/routes/media", detail: { tags: ["media"] } });
  if (!options) return app;
  const path = `${options.basePath.replace(/\/+$/, "")}/*`;
  const serve = ({ request }: { request: Request }) => handleMediaRequest(request, options);
  // parse: "none" leaves the body stream to the handler, which stores it as it arrives.
  const detail = { summary: "Signed upload or download of a stored object" };
  return app
    .get(path, serve, { detail })
    .head(path, serve, { detail })
    .put(path, serve, { parse: "none", detail });
}
