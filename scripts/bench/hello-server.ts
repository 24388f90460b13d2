// Child process for the http benchmark: the smallest Bun.serve that answers like /healthz, the
// baseline the gateway is compared with.
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  fetch: () => Response.json({ status: "ok" }),
});
process.stdout.write(`${server.port}\n`);
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});
