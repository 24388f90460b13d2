// The ArgoCD AppProject and the ApplicationSet that turns every component (and the platform,
// data-store and monitoring apps) into its own Application, synced in waves.
import { COMPONENTS, DATA_STORES } from "../catalog.ts";

type Obj = Record<string, unknown>;

export const REPO_URL = "https://github.com/eco2-team/eco2-backend.git";
/** Replaced by scripts/rebuild.ts with `terraform output -raw gateway_target_group_arn`. */
export const TARGET_GROUP_TOKEN = "GATEWAY_TARGET_GROUP_ARN";

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
              // The target group belongs to Terraform and its ARN is only known after apply:
              // scripts/rebuild.ts replaces the token when it applies this ApplicationSet.
              // Apps without the gateway's TargetGroupBinding match nothing and are unchanged.
              patches: [
                {
                  target: { group: "elbv2.k8s.aws", kind: "TargetGroupBinding", name: "gateway" },
                  patch: JSON.stringify([
                    { op: "replace", path: "/spec/targetGroupARN", value: TARGET_GROUP_TOKEN },
                  ]),
                },
              ],
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
