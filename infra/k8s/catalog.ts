// The deployable components and the facts the Kubernetes manifests are generated from.
// One table, so a port, a node role or a call flow is stated once and the YAML cannot drift
// between the Deployment, the Service, the NetworkPolicies and the ArgoCD ApplicationSet.

export type Kind = "gateway" | "service" | "worker";

export interface Component {
  name: string;
  kind: Kind;
  namespace: "eco2-api" | "eco2-workers";
  entry: string;
  /** Node role the pods are pinned to (label and taint `eco2.io/role=<role>`); the gateway uses the api tier. */
  role: string | null;
  /** gRPC peers this component calls (names of other components). */
  calls: string[];
  resources: { cpu: string; memory: string; cpuLimit: string; memoryLimit: string };
  /** Extra environment: secret keys and external egress. */
  secrets: string[];
  externalHttps: boolean;
  replicas: { dev: number; prodMin: number; prodMax: number };
}

export const GRPC_PORT = 50051;
export const METRICS_PORT = 9464;
export const GATEWAY_PORT = 8000;
/** Must equal `gateway_node_port` in infra/terraform/security.tf. */
export const GATEWAY_NODE_PORT = 30800;
export const IMAGE_REGISTRY = "ghcr.io/eco2-team";

const small = { cpu: "100m", memory: "128Mi", cpuLimit: "500m", memoryLimit: "256Mi" };
const medium = { cpu: "200m", memory: "256Mi", cpuLimit: "1", memoryLimit: "512Mi" };

const service = (
  name: string,
  calls: string[],
  size = small,
  secrets: string[] = [],
): Component => ({
  name,
  kind: "service",
  namespace: "eco2-api",
  entry: `services/${name}/main.ts`,
  role: `api-${name}`,
  calls,
  resources: size,
  secrets: ["DATABASE_URL", "REDIS_URL", "AMQP_URL", ...secrets],
  externalHttps: false,
  replicas: { dev: 1, prodMin: 2, prodMax: 4 },
});

export const COMPONENTS: Component[] = [
  {
    name: "gateway",
    kind: "gateway",
    namespace: "eco2-api",
    entry: "gateway/main.ts",
    // The gateway has no node of its own: it runs on any api-* node (tier label), spread by host.
    role: null,
    calls: ["auth", "my", "scan", "character", "location", "info", "chat", "storage"],
    resources: medium,
    secrets: ["REDIS_URL"],
    externalHttps: false,
    replicas: { dev: 1, prodMin: 2, prodMax: 6 },
  },
  service("auth", [], small, ["AUTH_JWT_PRIVATE_KEYS"]),
  service("my", []),
  service("scan", ["character"], medium),
  service("character", []),
  service("location", []),
  service("info", []),
  service("chat", ["location", "character", "info"], medium, ["OPENAI_API_KEY"]),
  {
    name: "storage",
    kind: "worker",
    namespace: "eco2-workers",
    entry: "workers/storage/main.ts",
    role: "worker-storage",
    calls: [],
    resources: medium,
    secrets: ["DATABASE_URL", "REDIS_URL", "AMQP_URL"],
    externalHttps: true,
    replicas: { dev: 1, prodMin: 1, prodMax: 3 },
  },
  {
    name: "ai",
    kind: "worker",
    namespace: "eco2-workers",
    entry: "workers/ai/main.ts",
    role: "worker-ai",
    calls: ["character", "location", "info", "scan", "chat"],
    // The embedded vision model (TensorFlow.js WASM) needs room; t3.small has 2 GiB.
    resources: { cpu: "500m", memory: "768Mi", cpuLimit: "1500m", memoryLimit: "1280Mi" },
    secrets: ["DATABASE_URL", "REDIS_URL", "AMQP_URL", "OPENAI_API_KEY"],
    externalHttps: true,
    replicas: { dev: 1, prodMin: 1, prodMax: 2 },
  },
];

/** Roles every api-* node carries; the gateway tolerates all of them. */
export const API_ROLES = COMPONENTS.filter((c) => c.kind === "service").map((c) => c.role!);

export const DATA_STORES = [
  { name: "postgresql", role: "infra-postgresql", port: 5432 },
  { name: "redis", role: "infra-redis", port: 6379 },
  { name: "rabbitmq", role: "infra-rabbitmq", port: 5672 },
] as const;

export function componentByName(name: string): Component {
  const c = COMPONENTS.find((x) => x.name === name);
  if (!c) throw new Error(`unknown component ${name}`);
  return c;
}

export function address(name: string): string {
  const c = componentByName(name);
  return `${name}.${c.namespace}.svc.cluster.local:${GRPC_PORT}`;
}
