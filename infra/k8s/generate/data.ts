// Stateful PostgreSQL, Redis and RabbitMQ, one replica each on their dedicated infra node,
// each with a Prometheus exporter (sidecar, or the RabbitMQ plugin) and an EBS gp3 volume.
import { DATA_STORES } from "../catalog.ts";
import { dataStorePolicy } from "./network.ts";

type Obj = Record<string, unknown>;

interface Store {
  name: (typeof DATA_STORES)[number]["name"];
  role: string;
  port: number;
  portName: string;
  metricsPort: number;
  image: string;
  uid: number;
  dataPath: string;
  size: string;
  main: Obj;
  sidecars: Obj[];
  extraVolumes: Obj[];
  resources: Obj;
}

const NS = "eco2-data";
const secretEnv = (name: string, key: string) => ({
  name,
  valueFrom: { secretKeyRef: { name: "eco2-data-credentials", key } },
});
const hardened = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};
const exporterResources = {
  requests: { cpu: "20m", memory: "32Mi" },
  limits: { cpu: "100m", memory: "64Mi" },
};
const byName = (n: string) => DATA_STORES.find((d) => d.name === n)!;

const STORES: Store[] = [
  {
    ...byName("postgresql"),
    portName: "postgres",
    metricsPort: 9187,
    image: "postgres:15.10",
    uid: 999,
    dataPath: "/var/lib/postgresql/data",
    size: "20Gi",
    resources: {
      requests: { cpu: "250m", memory: "512Mi" },
      limits: { cpu: "1", memory: "1536Mi" },
    },
    main: {
      env: [
        { name: "POSTGRES_USER", value: "eco2" },
        { name: "POSTGRES_DB", value: "eco2" },
        secretEnv("POSTGRES_PASSWORD", "POSTGRES_PASSWORD"),
        { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
      ],
      livenessProbe: {
        exec: { command: ["pg_isready", "-U", "eco2"] },
        periodSeconds: 10,
        timeoutSeconds: 5,
      },
      readinessProbe: {
        exec: { command: ["pg_isready", "-U", "eco2"] },
        periodSeconds: 5,
        timeoutSeconds: 5,
      },
      volumeMounts: [
        { name: "data", mountPath: "/var/lib/postgresql/data" },
        { name: "run", mountPath: "/var/run/postgresql" },
        { name: "tmp", mountPath: "/tmp" },
      ],
    },
    sidecars: [
      {
        name: "exporter",
        image: "quay.io/prometheuscommunity/postgres-exporter:v0.16.0",
        ports: [{ name: "metrics", containerPort: 9187, protocol: "TCP" }],
        env: [secretEnv("DATA_SOURCE_NAME", "POSTGRES_EXPORTER_DSN")],
        resources: exporterResources,
        livenessProbe: { httpGet: { path: "/", port: "metrics" }, periodSeconds: 15 },
        readinessProbe: { httpGet: { path: "/", port: "metrics" }, periodSeconds: 15 },
        securityContext: hardened,
      },
    ],
    extraVolumes: [
      { name: "run", emptyDir: {} },
      { name: "tmp", emptyDir: {} },
    ],
  },
  {
    ...byName("redis"),
    portName: "redis",
    metricsPort: 9121,
    image: "redis:7.0.15",
    uid: 999,
    dataPath: "/data",
    size: "5Gi",
    resources: {
      requests: { cpu: "100m", memory: "256Mi" },
      limits: { cpu: "500m", memory: "640Mi" },
    },
    main: {
      // The password arrives through the environment; $(VAR) is expanded by the kubelet.
      args: [
        "redis-server",
        "--requirepass",
        "$(REDIS_PASSWORD)",
        "--maxmemory",
        "512mb",
        "--maxmemory-policy",
        "volatile-lru",
        "--appendonly",
        "yes",
      ],
      env: [secretEnv("REDIS_PASSWORD", "REDIS_PASSWORD")],
      livenessProbe: { tcpSocket: { port: "redis" }, periodSeconds: 10 },
      readinessProbe: {
        exec: {
          command: [
            "sh",
            "-c",
            'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG',
          ],
        },
        periodSeconds: 5,
      },
      volumeMounts: [{ name: "data", mountPath: "/data" }],
    },
    sidecars: [
      {
        name: "exporter",
        image: "oliver006/redis_exporter:v1.67.0",
        ports: [{ name: "metrics", containerPort: 9121, protocol: "TCP" }],
        env: [
          { name: "REDIS_ADDR", value: "redis://127.0.0.1:6379" },
          secretEnv("REDIS_PASSWORD", "REDIS_PASSWORD"),
        ],
        resources: exporterResources,
        livenessProbe: { httpGet: { path: "/health", port: "metrics" }, periodSeconds: 15 },
        readinessProbe: { httpGet: { path: "/health", port: "metrics" }, periodSeconds: 15 },
        securityContext: hardened,
      },
    ],
    extraVolumes: [],
  },
  {
    ...byName("rabbitmq"),
    portName: "amqp",
    metricsPort: 15692,
    image: "rabbitmq:3.13.7-management",
    uid: 999,
    dataPath: "/var/lib/rabbitmq",
    size: "10Gi",
    resources: {
      requests: { cpu: "250m", memory: "512Mi" },
      limits: { cpu: "1", memory: "1536Mi" },
    },
    main: {
      env: [
        { name: "RABBITMQ_DEFAULT_USER", value: "eco2" },
        secretEnv("RABBITMQ_DEFAULT_PASS", "RABBITMQ_DEFAULT_PASS"),
        secretEnv("RABBITMQ_ERLANG_COOKIE", "RABBITMQ_ERLANG_COOKIE"),
      ],
      livenessProbe: {
        exec: { command: ["rabbitmq-diagnostics", "-q", "ping"] },
        periodSeconds: 30,
        timeoutSeconds: 15,
      },
      readinessProbe: {
        exec: { command: ["rabbitmq-diagnostics", "-q", "check_port_connectivity"] },
        periodSeconds: 15,
        timeoutSeconds: 15,
      },
      volumeMounts: [
        { name: "data", mountPath: "/var/lib/rabbitmq" },
        { name: "config", mountPath: "/etc/rabbitmq/enabled_plugins", subPath: "enabled_plugins" },
        { name: "tmp", mountPath: "/tmp" },
      ],
    },
    sidecars: [],
    extraVolumes: [
      { name: "config", configMap: { name: "rabbitmq-plugins" } },
      { name: "tmp", emptyDir: {} },
    ],
  },
];

const labels = (name: string) => ({
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/component": "datastore",
  "app.kubernetes.io/part-of": "eco2",
});

function statefulSet(s: Store): Obj {
  const mainPorts = [{ name: s.portName, containerPort: s.port, protocol: "TCP" }];
  // RabbitMQ serves metrics itself (rabbitmq_prometheus plugin) on 15692.
  if (s.sidecars.length === 0)
    mainPorts.push({ name: "metrics", containerPort: s.metricsPort, protocol: "TCP" });
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: s.name, namespace: NS, labels: labels(s.name) },
    spec: {
      serviceName: `${s.name}-headless`,
      replicas: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": s.name } },
      template: {
        metadata: { labels: labels(s.name) },
        spec: {
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 60,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: s.uid,
            runAsGroup: s.uid,
            fsGroup: s.uid,
            seccompProfile: { type: "RuntimeDefault" },
          },
          nodeSelector: { "eco2.io/role": s.role },
          tolerations: [
            { key: "eco2.io/role", operator: "Equal", value: s.role, effect: "NoSchedule" },
          ],
          containers: [
            {
              name: s.name,
              image: s.image,
              ports: mainPorts,
              resources: s.resources,
              securityContext: hardened,
              ...s.main,
            },
            ...s.sidecars,
          ],
          volumes: s.extraVolumes,
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: "gp3",
            resources: { requests: { storage: s.size } },
          },
        },
      ],
    },
  };
}

function services(s: Store): Obj[] {
  const ports = [
    { name: s.portName, port: s.port, targetPort: s.portName, protocol: "TCP" },
    { name: "metrics", port: s.metricsPort, targetPort: "metrics", protocol: "TCP" },
  ];
  const selector = { "app.kubernetes.io/name": s.name };
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: s.name, namespace: NS, labels: labels(s.name) },
      spec: { type: "ClusterIP", selector, ports },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      // Headless twin for the StatefulSet's stable pod DNS; labelled differently so the
      // ServiceMonitor does not scrape the same pod twice.
      metadata: {
        name: `${s.name}-headless`,
        namespace: NS,
        labels: { "app.kubernetes.io/part-of": "eco2" },
      },
      spec: { clusterIP: "None", selector, ports },
    },
  ];
}

function serviceMonitor(s: Store): Obj {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: {
      name: s.name,
      namespace: NS,
      labels: { ...labels(s.name), release: "kube-prometheus-stack" },
    },
    spec: {
      selector: { matchLabels: labels(s.name) },
      endpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
    },
  };
}

function extras(s: Store): Obj[] {
  if (s.name !== "rabbitmq") return [];
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "rabbitmq-plugins", namespace: NS, labels: labels(s.name) },
      data: { enabled_plugins: "[rabbitmq_management,rabbitmq_prometheus].\n" },
    },
  ];
}

/** Files (name → objects) for each data store's base directory. */
export function dataStoreFiles(): Map<string, Map<string, Obj[]>> {
  const out = new Map<string, Map<string, Obj[]>>();
  for (const s of STORES) {
    const files = new Map<string, Obj[]>();
    files.set("statefulset.yaml", [statefulSet(s)]);
    files.set("service.yaml", services(s));
    files.set("servicemonitor.yaml", [serviceMonitor(s)]);
    files.set("networkpolicy.yaml", [dataStorePolicy(s.name, s.port, s.metricsPort)]);
    const more = extras(s);
    if (more.length > 0) files.set("configmap.yaml", more);
    out.set(s.name, files);
  }
  return out;
}
