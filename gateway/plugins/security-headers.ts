import { Elysia } from "elysia";

export interface SecurityHeadersOptions {
  /** Send Strict-Transport-Security; only correct behind TLS. */
  hsts: boolean;
}

/**
 * securityHeaders sets the headers an API should always send. The docs page is exempt from the
 * strict content policy because its UI loads scripts and styles.
 */
export function securityHeaders(options: SecurityHeadersOptions) {
  return new Elysia({ name: "eco2/security-headers" }).onRequest(({ request, set }) => {
    set.headers["x-content-type-options"] = "nosniff";
    set.headers["x-frame-options"] = "DENY";
    set.headers["referrer-policy"] = "no-referrer";
    set.headers["cross-origin-opener-policy"] = "same-origin";
    set.headers["cross-origin-resource-policy"] = "same-site";
    if (!new URL(request.url).pathname.startsWith("/openapi")) {
      set.headers["content-security-policy"] = "default-src 'none'; frame-ancestors 'none'";
    }
    if (options.hsts) {
      set.headers["strict-transport-security"] = "max-age=31536000; includeSubDomains";
    }
  });
}
