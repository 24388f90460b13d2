// Child process for the http benchmark: the smallest Bun.serve that answers like /healthz (the
// baseline the gateway is compared with), and control servers that send exactly the bytes the
// contract makes the gateway send, built the cheapest way measured (bench/README.md): the same
// JSON body and status on a copy of a prebuilt header block (content type, security headers,
// Vary) that takes the request's own values (request id, RateLimit headers) just before
// `new Response` copies it. The "floor" modes also read what the contract needs from the request
// (its path and method, the request id to echo, the Origin for CORS and, for a guarded path, the
// credentials and the declared body size), as any implementation must; they do nothing with it.
// Together they separate what the contract costs from what the gateway's code costs.
const mode = process.argv[2] ?? "hello";

const BLOCK: [string, string][] = [
  ["content-type", "application/json;charset=utf-8"],
  ["x-content-type-options", "nosniff"],
  ["x-frame-options", "DENY"],
  ["referrer-policy", "no-referrer"],
  ["cross-origin-opener-policy", "same-origin"],
  ["cross-origin-resource-policy", "same-site"],
  ["vary", "Origin"],
  ["content-security-policy", "default-src 'none'; frame-ancestors 'none'"],
];
const HEALTHZ = JSON.stringify({ status: "ok" });
const NOT_FOUND = JSON.stringify({ detail: "not found", code: "NOT_FOUND" });
const plain = new Headers(BLOCK);
const limited = new Headers(BLOCK);
limited.set("ratelimit-limit", "1000000000");
limited.set("ratelimit-reset", "60");

function healthzHeaders(): Response {
  plain.set("x-request-id", crypto.randomUUID());
  return new Response(HEALTHZ, { headers: plain });
}

let remaining = 1_000_000_000;
function notFoundHeaders(): Response {
  limited.set("x-request-id", crypto.randomUUID());
  limited.set("ratelimit-remaining", String(--remaining));
  return new Response(NOT_FOUND, { status: 404, headers: limited });
}

/** What every answer needs from its request: path, method, request id, origin. */
function readRequest(request: Request): number {
  const url = request.url;
  const path = url.slice(url.indexOf("/", 8));
  const headers = request.headers;
  return (
    path.length +
    request.method.length +
    (headers.get("x-request-id")?.length ?? 0) +
    (headers.get("origin")?.length ?? 0)
  );
}

let sink = 0;
function healthzFloor(request: Request): Response {
  sink += readRequest(request);
  return healthzHeaders();
}

function notFoundFloor(request: Request): Response {
  sink += readRequest(request);
  const headers = request.headers;
  sink += (headers.get("authorization")?.length ?? 0) + (headers.get("cookie")?.length ?? 0);
  sink += Number(headers.get("content-length") ?? 0);
  return notFoundHeaders();
}

const handlers: Record<string, (request: Request) => Response> = {
  hello: () => Response.json({ status: "ok" }),
  "healthz-headers": healthzHeaders,
  "healthz-floor": healthzFloor,
  "not-found-headers": notFoundHeaders,
  "not-found-floor": notFoundFloor,
};
const answer = handlers[mode];
if (!answer) throw new Error(`unknown mode ${mode}: one of ${Object.keys(handlers).join(", ")}`);

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  fetch: answer,
});
process.stdout.write(`${server.port}\n`);
process.on("SIGTERM", () => {
  if (sink < 0) process.stdout.write("unreachable\n"); // keeps the reads from being optimised away
  server.stop(true);
  process.exit(0);
});
