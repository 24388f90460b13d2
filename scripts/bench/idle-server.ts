// Child process for the chat benchmark's baseline: the smallest Bun.serve that holds what the
// gateway holds per idle client, an SSE stream that has sent one frame, or an open WebSocket.
export {};

const encoder = new TextEncoder();
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  idleTimeout: 0,
  websocket: { idleTimeout: 60, message() {} },
  fetch(request, bun) {
    if (new URL(request.url).pathname === "/api/v1/chat/ws") {
      return bun.upgrade(request) ? undefined : new Response("no", { status: 400 });
    }
    if (request.url.endsWith("/readyz")) return Response.json({ status: "ok" });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('event: queued\ndata: {"stage":"queued"}\n\n'));
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  },
});
process.stdout.write(`${server.port}\n`);
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});
