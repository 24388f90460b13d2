// NetworkPolicies. Each namespace denies everything by default (platform app); each component
// then carries the policies for exactly the flows the code makes, so removing a component
// removes its openings too.
import {
  COMPONENTS,
  componentByName,
  DATA_STORES,
  GATEWAY_PORT,
  GRPC_PORT,
  METRICS_PORT,
  type Workload,
} from "../catalog.ts";
import { IMDS_CIDR, IMDS_PORT, INSTANCE_PROFILE_USERS } from "./component-facts.ts";

type Obj = Record<string, unknown>;

const nsSel = (ns: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
});

const peer = (c: Workload) => ({
  ...nsSel(c.namespace),
  podSelector: { matchLabels: { "app.kubernetes.io/name": c.name } },
});

const netpol = (name: string, namespace: string, spec: Obj): Obj => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace, labels: { "app.kubernetes.io/part-of": "eco2" } },
  spec,
});

/** VPC CIDR the ALB sits in (Terraform `vpc_cidr`); with externalTrafficPolicy Local the ALB's own address reaches the pod. */
export const VPC_CIDR = "10.40.0.0/16";
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"];

export function namespaceDefaults(namespace: string): Obj[] {
  return [
    netpol("default-deny", namespace, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    netpol("allow-dns", namespace, {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            { ...nsSel("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
          ],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    }),
  ];
}

/** Ingress and egress for one component. */
export function componentPolicies(c: Workload): Obj[] {
  const selector = { matchLabels: { "app.kubernetes.io/name": c.name } };
  const callers = COMPONENTS.filter((x) => x.calls.includes(c.name));
  const metricsPort = c.kind === "gateway" ? GATEWAY_PORT : METRICS_PORT;

  const ingress: Obj[] = [
    {
      from: [
        {
          ...nsSel("monitoring"),
          podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
        },
      ],
      ports: [{ protocol: "TCP", port: metricsPort }],
    },
  ];
  if (c.kind === "gateway") {
    ingress.push({
      from: [{ ipBlock: { cidr: VPC_CIDR } }],
      ports: [{ protocol: "TCP", port: GATEWAY_PORT }],
    });
  }
  if (callers.length > 0) {
    ingress.push({ from: callers.map(peer), ports: [{ protocol: "TCP", port: GRPC_PORT }] });
  }

  const egress: Obj[] = [];
  if (c.calls.length > 0) {
    egress.push({
      to: c.calls.map((n) => peer(componentByName(n))),
      ports: [{ protocol: "TCP", port: GRPC_PORT }],
    });
  }
  const stores = c.kind === "gateway" ? DATA_STORES.filter((d) => d.name === "redis") : DATA_STORES;
  for (const d of stores) {
    egress.push({
      to: [
        {
          ...nsSel("eco2-data"),
          podSelector: { matchLabels: { "app.kubernetes.io/name": d.name } },
        },
      ],
      ports: [{ protocol: "TCP", port: d.port }],
    });
  }
  if (c.externalHttps) {
    // S3 (storage) or the OpenAI-compatible endpoint (ai): public HTTPS only, never the VPC.
    egress.push({
      to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_RANGES } }],
      ports: [{ protocol: "TCP", port: 443 }],
    });
  }

  if (INSTANCE_PROFILE_USERS[c.name]) {
    // The AWS SDK gets the instance profile's credentials from the metadata endpoint, which the
    // public-HTTPS rule above excludes (169.254.0.0/16 is private).
    egress.push({
      to: [{ ipBlock: { cidr: IMDS_CIDR } }],
      ports: [{ protocol: "TCP", port: IMDS_PORT }],
    });
  }

  return [
    netpol(`${c.name}-ingress`, c.namespace, {
      podSelector: selector,
      policyTypes: ["Ingress"],
      ingress,
    }),
    netpol(`${c.name}-egress`, c.namespace, {
      podSelector: selector,
      policyTypes: ["Egress"],
      egress,
    }),
  ];
}

/** Who may reach each data store: every service and worker, plus the gateway for Redis. */
export function dataStorePolicy(name: string, port: number, exporterPort: number): Obj {
  const clients = COMPONENTS.filter((c) => c.kind !== "gateway" || name === "redis");
  return netpol(`${name}-ingress`, "eco2-data", {
    podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
    policyTypes: ["Ingress"],
    ingress: [
      { from: clients.map(peer), ports: [{ protocol: "TCP", port }] },
      {
        from: [
          {
            ...nsSel("monitoring"),
            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
          },
        ],
        ports: [{ protocol: "TCP", port: exporterPort }],
      },
    ],
  });
}
