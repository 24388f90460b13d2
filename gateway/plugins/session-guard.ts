import { Elysia } from "elysia";
import { currentContext } from "../../lib/context/request-context.ts";
import type { SessionGuard } from "../session-guard.ts";

/** pathOf reads the path of a request URL without building a URL object on every request. */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const end = url.indexOf("?", start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

/**
 * sessionGuard runs the SessionGuard first on every request, before parsing and validation, so an
 * anonymous caller learns it must sign in (401) before anything about its input.
 */
export function sessionGuard(guard: SessionGuard) {
  return new Elysia({ name: "eco2/session-guard" }).onRequest(async ({ request, set }) => {
    const context = currentContext();
    await guard.check({
      request,
      path: pathOf(request.url),
      clientIp: context?.clientIp ?? "",
      headers: set.headers as Record<string, string | number>,
      context,
    });
  });
}
