import { readFile } from "node:fs/promises";
import { Elysia } from "elysia";
import { locatePackageFile } from "../../lib/files/locate-package-file.ts";

/** Where the docs page loads its UI from: this gateway, so /openapi works with no network. */
export const DOCS_SCRIPT_PATH = "/openapi/assets/scalar.js";

/**
 * docsAssetRoutes serve the API reference UI's browser bundle from the installed package
 * (@scalar/api-reference, pinned), read once on first use.
 */
export function docsAssetRoutes() {
  let bundle: Promise<ArrayBuffer> | undefined;
  const read = () => {
    bundle ??= readFile(locatePackageFile("@scalar/api-reference/dist/browser/standalone.js")).then(
      (file) => file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength),
    );
    return bundle;
  };
  return new Elysia({ name: "eco2/routes/docs-assets" }).get(
    DOCS_SCRIPT_PATH,
    async () =>
      new Response(await read(), {
        headers: {
          "content-type": "text/javascript; charset=utf-8",
          "cache-control": "public, max-age=86400",
        },
      }),
    { detail: { hide: true } },
  );
}
