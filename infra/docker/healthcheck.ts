// Docker HEALTHCHECK for every Eco² image: asks the process's own HTTP /healthz (the gateway's
// PORT, or the metrics port that services and workers serve it on). Kubernetes ignores this and
// uses the Deployment's probes; it serves `docker run` and compose.
const component = process.env.ECO2_COMPONENT ?? "";
const port =
  component === "gateway" ? (process.env.PORT ?? "8000") : (process.env.METRICS_PORT ?? "9464");

try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(3000),
  });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}

export {};
