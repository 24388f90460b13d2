// Defaults that more than one place needs, stated once.

/** Where the browser lands after login when no allowed origin is known. */
export const DEFAULT_FRONTEND_URL = "https://frontend1.dev.growbin.app";
/** Largest API request body the gateway accepts (1 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Largest image upload through the local store's /media/ route (10 MiB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
