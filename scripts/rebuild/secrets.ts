// Builds the Kubernetes Secrets the manifests reference (eco2-secrets in the app namespaces,
// eco2-data-credentials for the data stores, the image pull secret) from the operator's
// KEY=value secrets file, and the Ansible extra variables that carry a secret.

import { IMAGE_REGISTRY } from "../../infra/k8s/catalog.ts";
import { IMAGE_PULL_SECRET } from "../../infra/k8s/generate/component-facts.ts";

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

/** Alertmanager's receiver: a Slack incoming webhook or any Alertmanager webhook endpoint. */
export const OPS_KEYS = ["ALERT_WEBHOOK_URL"] as const;
/** Credentials for private GHCR packages (a token with read:packages); both or neither. */
export const REGISTRY_KEYS = ["REGISTRY_USERNAME", "REGISTRY_TOKEN"] as const;

export function missingSecrets(text: string): string[] {
  const values = parseEnvFile(text);
  const missing: string[] = [...APP_KEYS, ...DATA_KEYS, ...OPS_KEYS].filter((k) => !values.get(k));
  const registry = REGISTRY_KEYS.filter((k) => values.get(k));
  if (registry.length === 1)
    missing.push(REGISTRY_KEYS.find((k) => !values.get(k)) ?? "REGISTRY_TOKEN");
  return missing;
}

/** Variables ansible-playbook reads from a 0600 file (-e @file), never from its command line. */
export function ansibleExtraVars(text: string, env: string): string {
  const values = parseEnvFile(text);
  return `${JSON.stringify({
    alertmanager_receiver_url: values.get("ALERT_WEBHOOK_URL") ?? "",
    eco2_environment: env,
  })}\n`;
}

function pullSecret(namespace: string, user: string, token: string): string {
  const registry = IMAGE_REGISTRY.split("/")[0]!;
  const auth = Buffer.from(`${user}:${token}`).toString("base64");
  const config = JSON.stringify({
    auths: { [registry]: { username: user, password: token, auth } },
  });
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/dockerconfigjson",
    metadata: { name: IMAGE_PULL_SECRET, namespace },
    data: { ".dockerconfigjson": Buffer.from(config).toString("base64") },
  });
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

/** A kubectl-applicable List of the Secrets (JSON is valid YAML). */
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
  const [user, token] = REGISTRY_KEYS.map((k) => values.get(k));
  // Without credentials the packages must be public; the kubelet then pulls anonymously.
  if (user && token)
    items.push(...["eco2-api", "eco2-workers"].map((ns) => pullSecret(ns, user, token)));
  return `{"apiVersion":"v1","kind":"List","items":[${items.join(",")}]}\n`;
}
