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
  const always: Record<string, string> = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-site",
  };
  if (options.hsts) always["strict-transport-security"] = "max-age=31536000; includeSubDomains";
  const csp = "default-src 'none'; frame-ancestors 'none'";
  return new Elysia({ name: "eco2/security-headers" }).onRequest(({ request, set }) => {
    Object.assign(set.headers, always);
    // The path starts after "scheme://host"; a substring test avoids parsing a URL per request.
    const path = request.url.slice(request.url.indexOf("/", 8));
    if (!path.startsWith("/openapi")) set.headers["content-security-policy"] = csp;
  });
}
