// Child process for the http benchmark: the smallest Bun.serve that answers like /healthz (the
// baseline the gateway is compared with), and two control servers that send exactly the bytes
// the contract makes the gateway send, built the cheapest way measured (bench/README.md): the
// same JSON body and status on a prebuilt header block (content type, security headers, Vary),
// with a fresh request id (and, for the 404, the RateLimit headers) set on the built response.
// They separate what the required headers cost from what the gateway's code costs.
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
const block = new Headers(BLOCK);
const HEALTHZ = JSON.stringify({ status: "ok" });
const NOT_FOUND = JSON.stringify({ detail: "not found", code: "NOT_FOUND" });

function healthzHeaders(): Response {
  const response = new Response(HEALTHZ, { headers: block });
  response.headers.set("x-request-id", crypto.randomUUID());
  return response;
}

let remaining = 1_000_000_000;
function notFoundHeaders(): Response {
  const response = new Response(NOT_FOUND, { status: 404, headers: block });
  const headers = response.headers;
  headers.set("x-request-id", crypto.randomUUID());
  headers.set("ratelimit-limit", "1000000000");
  headers.set("ratelimit-remaining", String(--remaining));
  headers.set("ratelimit-reset", "60");
  return response;
}

const handlers: Record<string, () => Response> = {
  hello: () => Response.json({ status: "ok" }),
  "healthz-headers": healthzHeaders,
  "not-found-headers": notFoundHeaders,
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
  server.stop(true);
  process.exit(0);
});
