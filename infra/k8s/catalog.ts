// The Kubernetes view of the component catalog (catalog/components.ts): each component as a
// workload, with the facts the manifests need. Nothing here restates the catalog: ports, calls,
// egress, secrets, sizes and replicas all come from it, so the Deployment, the Service, the
// NetworkPolicies and the ArgoCD ApplicationSet cannot drift from what the code starts and calls.
import {
  CATALOG,
  COMPONENT_NAMES,
  type ComponentKind,
  type ComponentName,
  type PodSize,
} from "../../catalog/components.ts";

export type Kind = ComponentKind;

export interface Workload {
  name: ComponentName;
  kind: Kind;
  namespace: "eco2-api" | "eco2-workers";
  entry: string;
  /** Node role the pods are pinned to (label and taint `eco2.io/role=<role>`); the gateway uses the api tier. */
  role: string | null;
  /** gRPC peers this component calls (names of other components). */
  calls: readonly string[];
  resources: PodSize;
  /** Settings taken from the Secret, one key at a time. */
  secrets: readonly string[];
  /** External hosts it reaches; any makes its egress allow public HTTPS. */
  egress: readonly string[];
  externalHttps: boolean;
  replicas: { dev: number; prodMin: number; prodMax: number };
}

export const GRPC_PORT = 50051;
export const METRICS_PORT = 9464;
export const GATEWAY_PORT = 8000;
/** Must equal `gateway_node_port` in infra/terraform/security.tf. */
export const GATEWAY_NODE_PORT = 30800;
export const IMAGE_REGISTRY = "ghcr.io/eco2-team";

function workload(name: ComponentName): Workload {
  const entry = CATALOG[name];
  const folder = entry.kind === "worker" ? "workers" : "services";
  return {
    name,
    kind: entry.kind,
    namespace: entry.kind === "worker" ? "eco2-workers" : "eco2-api",
    entry: entry.kind === "gateway" ? "gateway/main.ts" : `${folder}/${name}/main.ts`,
    // The gateway has no node of its own: it runs on any api-* node (tier label), spread by host.
    role: entry.kind === "gateway" ? null : `${entry.kind === "worker" ? "worker" : "api"}-${name}`,
    calls: entry.calls,
    resources: entry.deploy.size,
    secrets: entry.secrets,
    egress: entry.egress,
    externalHttps: entry.egress.length > 0,
    replicas: { ...entry.deploy.replicas },
  };
}

export const COMPONENTS: Workload[] = COMPONENT_NAMES.map(workload);

/** Roles every api-* node carries; the gateway tolerates all of them. */
export const API_ROLES = COMPONENTS.filter((c) => c.kind === "service").map((c) => c.role!);

export const DATA_STORES = [
  { name: "postgresql", role: "infra-postgresql", port: 5432 },
  { name: "redis", role: "infra-redis", port: 6379 },
  { name: "rabbitmq", role: "infra-rabbitmq", port: 5672 },
] as const;

export function componentByName(name: string): Workload {
  const c = COMPONENTS.find((x) => x.name === name);
  if (!c) throw new Error(`unknown component ${name}`);
  return c;
}

export function address(name: string): string {
  const c = componentByName(name);
  return `${name}.${c.namespace}.svc.cluster.local:${GRPC_PORT}`;
}
