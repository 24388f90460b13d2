import { Elysia } from "elysia";

export interface CorsOptions {
  /** Exact origins (scheme://host[:port]) allowed to read responses with credentials. */
  readonly origins: readonly string[];
  readonly methods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  /** How long a browser may cache a preflight answer, in seconds. */
  readonly maxAge: number;
}

/**
 * cors answers preflights and marks responses readable by the allowed origins, with every header
 * value built once at start: per request it is one header read and a set lookup. A browser reads
 * Allow-Methods/Allow-Headers/Max-Age only on a preflight, and Allow-Credentials/Expose-Headers
 * only beside a matching Allow-Origin (Fetch standard, CORS protocol), so those go only where
 * they are read. `Vary: Origin`, which every response carries for caches, is set with the
 * security headers (plugins/security-headers.ts).
 */
export function cors(options: CorsOptions) {
  const allowed = new Set(options.origins.map((origin) => origin.replace(/\/+$/, "")));
  const isAllowed = (origin: string | null): origin is string =>
    origin !== null &&
    (allowed.has(origin) || allowed.has(origin.slice(origin.indexOf("://") + 3)));
  const readable: [string, string][] = [
    ["access-control-allow-credentials", "true"],
    ["access-control-expose-headers", options.exposeHeaders.join(", ")],
  ];
  const preflight = new Headers({
    ...Object.fromEntries(readable),
    "access-control-allow-methods": options.methods.join(", "),
    "access-control-allow-headers": options.allowedHeaders.join(", "),
    "access-control-max-age": String(options.maxAge),
  });
  return {
    /**
     * The plugin answers every preflight (204) before routing, the guard and parsing. Its hook is
     * a plain function whose source Elysia reads as synchronous (no `return f(`, `=> f(`, async):
     * one asynchronous onRequest hook makes Elysia compile every request's path as async. It
     * leaves Elysia's `set` alone, so routes that do not touch it get Elysia's compact responses.
     */
    preflight: new Elysia({ name: "eco2/cors", seed: options }).onRequest(function preflights({
      request,
    }) {
      if (request.method === "OPTIONS") {
        const origin = request.headers.get("origin");
        const headers = new Headers(preflight);
        if (isAllowed(origin)) headers.set("access-control-allow-origin", origin);
        return new Response(null, { status: 204, headers });
      }
    }),
    /**
     * onResponse marks a finished response readable by the request's origin, if allowed. It
     * reads the response's headers only then: building their JS object costs ~0.25 µs.
     */
    onResponse(response: Response, request: Request): void {
      const origin = request.headers.get("origin");
      if (request.method === "OPTIONS" || !isAllowed(origin)) return;
      const headers = response.headers;
      headers.set("access-control-allow-origin", origin);
      for (const [name, value] of readable) headers.set(name, value);
    },
  };
}
