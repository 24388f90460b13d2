import { Elysia } from "elysia";

/** The demo page, built: its HTML and the bundled script and stylesheet it links to. */
export interface DemoAssets {
  readonly html: string;
  readonly js: string;
  readonly css: string;
}

/** Where the page's script and stylesheet are served; index.html links these paths. */
export const DEMO_SCRIPT_PATH = "/demo/app.js";
export const DEMO_STYLE_PATH = "/demo/app.css";

/**
 * The page loads only its own script and style and talks only to this origin; thumbnails of news
 * articles are the one thing it shows from elsewhere, so images alone may come from https:.
 */
const DEMO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: https:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

function serve(body: string, contentType: string) {
  return new Response(body, {
    headers: {
      "content-type": contentType,
      "content-security-policy": DEMO_CSP,
      // Built at start, so a restart is the only change; a short cache keeps edits visible.
      "cache-control": "no-cache",
    },
  });
}

/**
 * demoRoutes serve the demo page at / and /demo (issue 13) when its assets were built
 * (DEMO_PAGE); without them nothing is mounted and / stays a 404.
 */
export function demoRoutes(assets: DemoAssets | undefined) {
  const routes = new Elysia({ name: "eco2/routes/demo", detail: { hide: true } });
  if (!assets) return routes;
  const page = () => serve(assets.html, "text/html; charset=utf-8");
  return routes
    .get("/", page)
    .get("/demo", page)
    .get(DEMO_SCRIPT_PATH, () => serve(assets.js, "text/javascript; charset=utf-8"))
    .get(DEMO_STYLE_PATH, () => serve(assets.css, "text/css; charset=utf-8"));
}
