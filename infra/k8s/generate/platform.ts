// Cluster- and namespace-level objects shared by every component: namespaces, the gp3 storage
// class, the non-secret runtime configuration and the default-deny network posture.
import { address, COMPONENTS, GRPC_PORT, METRICS_PORT } from "../catalog.ts";
import { namespaceDefaults } from "./network.ts";

type Obj = Record<string, unknown>;

export const APP_NAMESPACES = ["eco2-api", "eco2-workers", "eco2-data"] as const;

function namespace(name: string): Obj {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        "app.kubernetes.io/part-of": "eco2",
        // Every pod here runs non-root with a read-only root, so the strictest level holds.
        "pod-security.kubernetes.io/enforce": "restricted",
      },
    },
  };
}

function storageClass(): Obj {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "gp3", labels: { "app.kubernetes.io/part-of": "eco2" } },
    provisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3", encrypted: "true" },
    reclaimPolicy: "Retain",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
  };
}

/**
 * Non-secret settings; secrets live in `eco2-secrets` (see infra/README.md). The bucket, region,
 * CDN and public URLs are Terraform's: the ApplicationSet adds them (terraform-bindings.ts).
 */
function config(namespace: string): Obj {
  const addrs: Record<string, string> = {};
  for (const c of COMPONENTS) {
    if (c.kind !== "gateway") addrs[`${c.name.toUpperCase()}_ADDR`] = address(c.name);
  }
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "eco2-config", namespace, labels: { "app.kubernetes.io/part-of": "eco2" } },
    data: {
      LOG_LEVEL: "info",
      RPC_TRANSPORT: "grpc-js",
      GRPC_PORT: String(GRPC_PORT),
      METRICS_PORT: String(METRICS_PORT),
      SHUTDOWN_DEADLINE_MS: "20000",
      OPENAI_BASE_URL: "https://api.openai.com/v1",
      ...addrs,
    },
  };
}

export function platformFiles(): Map<string, Obj[]> {
  const files = new Map<string, Obj[]>();
  files.set("namespaces.yaml", APP_NAMESPACES.map(namespace));
  files.set("storageclass.yaml", [storageClass()]);
  files.set("configmap.yaml", [config("eco2-api"), config("eco2-workers")]);
  files.set("networkpolicy.yaml", APP_NAMESPACES.flatMap(namespaceDefaults));
  return files;
}
