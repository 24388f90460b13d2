// Builds the per-component objects (Deployment, Service, HPA, PDB, ServiceMonitor) from the catalog.
import { OPTIONAL_SECRETS } from "../../../catalog/components.ts";
import {
  API_ROLES,
  GATEWAY_NODE_PORT,
  GATEWAY_PORT,
  GRPC_PORT,
  IMAGE_REGISTRY,
  METRICS_PORT,
  type Workload,
} from "../catalog.ts";
import { IMAGE_PULL_SECRET } from "./component-facts.ts";

type Obj = Record<string, unknown>;

export function labels(c: Workload): Record<string, string> {
  return {
    "app.kubernetes.io/name": c.name,
    "app.kubernetes.io/component": c.kind,
    "app.kubernetes.io/part-of": "eco2",
  };
}

/** The image every build of component `c` is pushed as (.github/workflows/images.yml). */
export const imageName = (c: Workload) => `${IMAGE_REGISTRY}/eco2-${c.name}`;

const selector = (c: Workload) => ({ "app.kubernetes.io/name": c.name });

function ports(c: Workload): Obj[] {
  if (c.kind === "gateway") return [{ name: "http", containerPort: GATEWAY_PORT, protocol: "TCP" }];
  return [
    { name: "grpc", containerPort: GRPC_PORT, protocol: "TCP" },
    { name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" },
  ];
}

function env(c: Workload): Obj[] {
  const portEnv: Obj[] =
    c.kind === "gateway"
      ? [{ name: "PORT", value: String(GATEWAY_PORT) }]
      : [
          { name: "GRPC_PORT", value: String(GRPC_PORT) },
          { name: "METRICS_PORT", value: String(METRICS_PORT) },
        ];
  // Secrets are referenced one key at a time so each process only sees what it needs.
  const secretEnv = c.secrets.map((key) => ({
    name: key,
    valueFrom: {
      secretKeyRef: {
        name: "eco2-secrets",
        key,
        ...(OPTIONAL_SECRETS.has(key) ? { optional: true } : {}),
      },
    },
  }));
  return [...portEnv, ...secretEnv];
}

function probes(c: Workload): Obj {
  if (c.kind === "gateway") {
    const http = (path: string) => ({ httpGet: { path, port: "http" } });
    return {
      startupProbe: { ...http("/healthz"), periodSeconds: 2, failureThreshold: 30 },
      livenessProbe: { ...http("/healthz"), periodSeconds: 10, failureThreshold: 3 },
      readinessProbe: { ...http("/readyz"), periodSeconds: 5, failureThreshold: 2 },
    };
  }
  // Native gRPC probes call grpc.health.v1.Health/Check on the serving port. The service name
  // "liveness" answers SERVING while the process runs (lib/rpc/health-service.ts), so a lost
  // database only takes the pod out of rotation (readiness, empty name) instead of restarting it.
  const live = { grpc: { port: GRPC_PORT, service: "liveness" } };
  const ready = { grpc: { port: GRPC_PORT } };
  return {
    startupProbe: { ...live, periodSeconds: 2, failureThreshold: 30 },
    livenessProbe: { ...live, periodSeconds: 10, failureThreshold: 3 },
    readinessProbe: { ...ready, periodSeconds: 5, failureThreshold: 2 },
  };
}

function scheduling(c: Workload): Obj {
  if (c.role === null) {
    // Gateway: any api-* node (Ansible adds eco2.io/tier=api to them), so it tolerates every api role.
    return {
      nodeSelector: { "eco2.io/tier": "api" },
      tolerations: API_ROLES.map((role) => ({
        key: "eco2.io/role",
        operator: "Equal",
        value: role,
        effect: "NoSchedule",
      })),
    };
  }
  return {
    nodeSelector: { "eco2.io/role": c.role },
    tolerations: [{ key: "eco2.io/role", operator: "Equal", value: c.role, effect: "NoSchedule" }],
  };
}

export function deployment(c: Workload): Obj {
  const spreadHard = c.role === null;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: c.name, namespace: c.namespace, labels: labels(c) },
    spec: {
      replicas: c.replicas.dev,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector(c) },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: labels(c) },
        spec: {
          serviceAccountName: c.name,
          automountServiceAccountToken: false,
          // Longer than SHUTDOWN_DEADLINE_MS so in-flight RPCs and the current message can finish.
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: "RuntimeDefault" },
          },
          imagePullSecrets: [{ name: IMAGE_PULL_SECRET }],
          ...scheduling(c),
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              // Services have one dedicated node each, so host spread can only be a preference there.
              whenUnsatisfiable: spreadHard ? "DoNotSchedule" : "ScheduleAnyway",
              labelSelector: { matchLabels: selector(c) },
            },
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: selector(c) },
            },
          ],
          containers: [
            {
              name: c.name,
              // No tag here: each environment pins it through the CI-owned images component.
              image: imageName(c),
              imagePullPolicy: "IfNotPresent",
              args: ["bun", c.entry],
              ports: ports(c),
              envFrom: [{ configMapRef: { name: "eco2-config" } }],
              env: env(c),
              resources: {
                requests: { cpu: c.resources.cpu, memory: c.resources.memory },
                limits: { cpu: c.resources.cpuLimit, memory: c.resources.memoryLimit },
              },
              ...probes(c),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
        },
      },
    },
  };
}

export function service(c: Workload): Obj {
  const servicePorts =
    c.kind === "gateway"
      ? [
          {
            name: "http",
            port: GATEWAY_PORT,
            targetPort: "http",
            protocol: "TCP",
            nodePort: GATEWAY_NODE_PORT,
          },
        ]
      : [
          {
            name: "grpc",
            port: GRPC_PORT,
            targetPort: "grpc",
            protocol: "TCP",
            appProtocol: "kubernetes.io/h2c",
          },
          { name: "metrics", port: METRICS_PORT, targetPort: "metrics", protocol: "TCP" },
        ];
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: c.name, namespace: c.namespace, labels: labels(c) },
    // The gateway is a NodePort: Calico pod IPs are not VPC-routable, so the ALB targets
    // instances on GATEWAY_NODE_PORT (Terraform's target group and security group use it too).
    spec: {
      type: c.kind === "gateway" ? "NodePort" : "ClusterIP",
      // Local: the ALB only sends to nodes that run a gateway pod, and the source address stays
      // the ALB's (inside the VPC CIDR that the gateway NetworkPolicy admits).
      ...(c.kind === "gateway" ? { externalTrafficPolicy: "Local" } : {}),
      selector: selector(c),
      ports: servicePorts,
    },
  };
}

export function serviceAccount(c: Workload): Obj {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: c.name, namespace: c.namespace, labels: labels(c) },
    automountServiceAccountToken: false,
  };
}

export function hpa(c: Workload): Obj {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: c.name, namespace: c.namespace, labels: labels(c) },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: c.name },
      minReplicas: c.replicas.dev,
      maxReplicas: Math.max(2, c.replicas.prodMax),
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
}

export function pdb(c: Workload): Obj {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: c.name, namespace: c.namespace, labels: labels(c) },
    // maxUnavailable (not minAvailable) so a single-replica dev deployment can still be drained.
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(c) } },
  };
}

export function serviceMonitor(c: Workload): Obj {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: {
      name: c.name,
      namespace: c.namespace,
      labels: { ...labels(c), release: "kube-prometheus-stack" },
    },
    spec: {
      selector: { matchLabels: selector(c) },
      endpoints: [
        {
          port: c.kind === "gateway" ? "http" : "metrics",
          path: "/metrics",
          interval: "30s",
        },
      ],
    },
  };
}

/** Registers gateway pods in the target group Terraform created behind its ALB (see infra/README.md). */
export function targetGroupBinding(c: Workload): Obj {
  return {
    apiVersion: "elbv2.k8s.aws/v1beta1",
    kind: "TargetGroupBinding",
    metadata: { name: c.name, namespace: c.namespace, labels: labels(c) },
    spec: {
      serviceRef: { name: c.name, port: GATEWAY_PORT },
      targetType: "instance",
      // Only api-tier nodes run gateway pods and sit in the api security group.
      nodeSelector: { matchLabels: { "eco2.io/tier": "api" } },
      // Placeholder: the ArgoCD ApplicationSet patches in Terraform's `gateway_target_group_arn`
      // (scripts/rebuild.ts fills it in when it applies the ApplicationSet).
      targetGroupARN:
        "arn:aws:elasticloadbalancing:ap-northeast-2:000000000000:targetgroup/set-by-rebuild/0000000000000000",
      // Terraform already lets the ALB security group reach the api nodes on 8000, so the
      // controller does not manage node security-group rules (no `networking` block).
    },
  };
}
