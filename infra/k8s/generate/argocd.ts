// The ArgoCD AppProject and the ApplicationSet that turns every component (and the platform,
// data-store and monitoring apps) into its own Application, synced in waves.
import { COMPONENTS, DATA_STORES } from "../catalog.ts";
import { TERRAFORM_BINDINGS } from "./terraform-bindings.ts";

type Obj = Record<string, unknown>;

export const REPO_URL = "https://github.com/eco2-team/eco2-backend.git";
/**
 * One kustomize patch per target object, setting each Terraform-decided field to its token.
 * `add` rather than `replace`: the committed ConfigMap has no such key at all.
 */
function terraformPatches(): Obj[] {
  const byTarget = new Map<string, { target: Obj; ops: Obj[] }>();
  for (const b of TERRAFORM_BINDINGS) {
    const t = b.target;
    const target: Obj =
      "key" in t ? { kind: t.kind, name: t.name } : { group: t.group, kind: t.kind, name: t.name };
    const path = "key" in t ? `/data/${t.key}` : t.path;
    const id = JSON.stringify(target);
    const entry = byTarget.get(id) ?? { target, ops: [] };
    entry.ops.push({ op: "key" in t ? "add" : "replace", path, value: b.token });
    byTarget.set(id, entry);
  }
  return [...byTarget.values()].map((e) => ({ target: e.target, patch: JSON.stringify(e.ops) }));
}

export interface AppEntry {
  app: string;
  namespace: string;
  wave: number;
}

/** Wave 0 platform; 1 data stores and monitoring; 2 services; 3 callers-of-services (gateway, workers). */
export function appEntries(): AppEntry[] {
  return [
    { app: "platform", namespace: "eco2-api", wave: 0 },
    ...DATA_STORES.map((d) => ({ app: d.name, namespace: "eco2-data", wave: 1 })),
    { app: "monitoring", namespace: "monitoring", wave: 1 },
    ...COMPONENTS.map((c) => ({
      app: c.name,
      namespace: c.namespace,
      wave: c.kind === "service" ? 2 : 3,
    })),
  ];
}

export function appProject(): Obj {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: { name: "eco2", namespace: "argocd" },
    spec: {
      description:
        "Eco² backend: platform, data stores, monitoring rules, gateway, services, workers",
      sourceRepos: [REPO_URL],
      destinations: ["eco2-api", "eco2-workers", "eco2-data", "monitoring"].map((namespace) => ({
        server: "https://kubernetes.default.svc",
        namespace,
      })),
      // The platform app creates namespaces and the gp3 StorageClass; nothing else cluster-wide.
      clusterResourceWhitelist: [
        { group: "", kind: "Namespace" },
        { group: "storage.k8s.io", kind: "StorageClass" },
      ],
      orphanedResources: { warn: true },
    },
  };
}

export function applicationSet(env: string): Obj {
  const entries = appEntries();
  const waves = [...new Set(entries.map((e) => e.wave))].sort();
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: { name: `eco2-${env}`, namespace: "argocd" },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      generators: [
        {
          list: {
            elements: entries.map((e) => ({
              app: e.app,
              namespace: e.namespace,
              wave: String(e.wave),
            })),
          },
        },
      ],
      // Progressive sync: ArgoCD syncs wave 0 to healthy before wave 1, and so on.
      strategy: {
        type: "RollingSync",
        rollingSync: {
          steps: waves.map((w) => ({
            matchExpressions: [{ key: "eco2.io/wave", operator: "In", values: [String(w)] }],
          })),
        },
      },
      template: {
        metadata: {
          name: `{{.app}}-${env}`,
          labels: { "eco2.io/wave": "{{.wave}}", "app.kubernetes.io/part-of": "eco2" },
          annotations: { "argocd.argoproj.io/sync-wave": "{{.wave}}" },
        },
        spec: {
          project: "eco2",
          source: {
            repoURL: REPO_URL,
            targetRevision: "main",
            path: `infra/k8s/overlays/${env}/{{.app}}`,
            kustomize: {
              // Terraform decides these values (target group ARN, bucket, CDN and API URLs)
              // and they are only known after apply: scripts/rebuild.ts replaces each token
              // (infra/k8s/generate/terraform-bindings.ts) when it applies this ApplicationSet.
              // Apps without the targeted objects are unchanged.
              patches: terraformPatches(),
            },
          },
          destination: { server: "https://kubernetes.default.svc", namespace: "{{.namespace}}" },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            syncOptions: ["ServerSideApply=true", "PruneLast=true"],
            retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
          },
        },
      },
    },
  };
}
