// Where each Helm chart that Ansible installs takes the placement of the pods it creates: the
// value paths holding `nodeSelector` and `tolerations`, with the path each falls back to in the
// chart. Hook Jobs count: Helm waits for them, so one that cannot schedule hangs the install.
// Keyed by chart name (infra/ansible/group_vars/all.yml `charts`).

export interface PodPlacement {
  /** Dotted value path ("" is the root). */
  path: string;
  /** Where the chart falls back to when the path sets nothing. */
  fallback?: string;
  /** A DaemonSet: it must tolerate every node's taints. */
  everyNode?: boolean;
}

export const CHART_PODS: Record<string, PodPlacement[]> = {
  "kube-prometheus-stack": [
    { path: "prometheus.prometheusSpec" },
    { path: "alertmanager.alertmanagerSpec" },
    { path: "grafana" },
    { path: "kube-state-metrics" },
    { path: "prometheusOperator" },
    // Pre-install/post-install hook Jobs that create and patch the webhook certificate.
    { path: "prometheusOperator.admissionWebhooks.patch" },
    { path: "prometheus-node-exporter", everyNode: true },
  ],
  "argo-cd": [
    "controller",
    "server",
    "repoServer",
    "applicationSet",
    "notifications",
    "dex",
    "redis",
    "redisSecretInit",
  ].map((path) => ({ path, fallback: "global" })),
  "aws-ebs-csi-driver": [{ path: "controller" }, { path: "node", everyNode: true }],
  "aws-load-balancer-controller": [{ path: "" }],
  "metrics-server": [{ path: "" }],
};
