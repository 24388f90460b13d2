// Builds the Kubernetes Secrets the manifests reference (eco2-secrets in the app namespaces,
// eco2-data-credentials for the data stores) from the operator's KEY=value secrets file.

export const APP_KEYS = ["DATABASE_URL", "REDIS_URL", "AMQP_URL", "AUTH_JWT_PRIVATE_KEYS"] as const;
export const OPTIONAL_APP_KEYS = ["OPENAI_API_KEY"] as const;
export const DATA_KEYS = [
  "POSTGRES_PASSWORD",
  "POSTGRES_EXPORTER_DSN",
  "REDIS_PASSWORD",
  "RABBITMQ_DEFAULT_PASS",
  "RABBITMQ_ERLANG_COOKIE",
] as const;

export function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq > 0) out.set(line.slice(0, eq).trim(), line.slice(eq + 1));
  }
  return out;
}

export function missingSecrets(text: string): string[] {
  const values = parseEnvFile(text);
  return [...APP_KEYS, ...DATA_KEYS].filter((k) => !values.get(k));
}

function secret(name: string, namespace: string, data: Record<string, string>): string {
  const encoded = Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
  );
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: { name, namespace },
    data: encoded,
  });
}

/** A kubectl-applicable List of the three Secrets (JSON is valid YAML). */
export function applicationSecrets(text: string): string {
  const values = parseEnvFile(text);
  const pick = (keys: readonly string[]) =>
    Object.fromEntries(keys.filter((k) => values.has(k)).map((k) => [k, values.get(k) ?? ""]));
  const app = pick([...APP_KEYS, ...OPTIONAL_APP_KEYS]);
  const items = [
    secret("eco2-secrets", "eco2-api", app),
    secret("eco2-secrets", "eco2-workers", app),
    secret("eco2-data-credentials", "eco2-data", pick(DATA_KEYS)),
  ];
  return `{"apiVersion":"v1","kind":"List","items":[${items.join(",")}]}\n`;
}
