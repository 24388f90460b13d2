// Meaning checks over one rendered environment: things a schema cannot see but that break a
// deployment (a Service that selects nothing, a probe on a closed port, a pod that can never
// schedule because its node is tainted).
import { describe, type K8sObject, type SourceIndex } from "./sources.ts";
import { type Problem, problem } from "./types.ts";

type Dict = Record<string, unknown>;
type Labels = Record<string, string>;

interface Port {
  name?: string;
  containerPort?: number;
}
interface Container {
  name: string;
  ports?: Port[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
  livenessProbe?: Dict;
  readinessProbe?: Dict;
  startupProbe?: Dict;
  resources?: { limits?: Dict; requests?: Dict };
  securityContext?: Dict;
}
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export interface ClusterFacts {
  /** Node roles that carry the taint eco2.io/role=<role>:NoSchedule (from Terraform). */
  taintedRoles: string[];
  /** Roles whose workloads are installed outside infra/k8s (e.g. by Ansible), with where. */
  externallyTolerated: Record<string, string>;
  /** gateway_node_port from Terraform, if it could be read. */
  gatewayNodePort?: number;
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);
const ROLE_KEY = "eco2.io/role";
const OUR_COMPONENTS = new Set(["gateway", "service", "worker"]);
const TIER_KEY = "eco2.io/tier";

const get = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Dict)[k] : undefined), o);

const matches = (selector: Labels | undefined, labels: Labels | undefined): boolean =>
  !!selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const podLabels = (w: K8sObject) =>
  get(w, "spec", "template", "metadata", "labels") as Labels | undefined;
const podSpec = (w: K8sObject) => (get(w, "spec", "template", "spec") ?? {}) as Dict;
const containers = (w: K8sObject) => (podSpec(w).containers ?? []) as Container[];
const ns = (o: K8sObject) => o.metadata?.namespace ?? "";

function probePort(probe: Dict): number | string | undefined {
  return (get(probe, "grpc", "port") ??
    get(probe, "httpGet", "port") ??
    get(probe, "tcpSocket", "port")) as number | string | undefined;
}

function hasPort(c: Container, port: number | string): boolean {
  return (c.ports ?? []).some((p) =>
    typeof port === "number" ? p.containerPort === port : p.name === port,
  );
}

function tolerates(w: K8sObject, role: string): boolean {
  const tolerations = (podSpec(w).tolerations ?? []) as Toleration[];
  return tolerations.some(
    (t) =>
      (t.operator === "Exists" && !t.key) ||
      (t.key === ROLE_KEY &&
        (t.operator === "Exists" || t.value === role) &&
        (!t.effect || t.effect === "NoSchedule")),
  );
}

export function checkInvariants(
  objects: K8sObject[],
  sources: SourceIndex,
  fallback: string,
  facts: ClusterFacts,
): Problem[] {
  const problems: Problem[] = [];
  const report = (o: K8sObject, message: string) =>
    problems.push(problem(sources.fileOf(o, fallback), `${describe(o)}: ${message}`));

  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind ?? ""));
  const services = objects.filter((o) => o.kind === "Service");
  const configMaps = objects.filter((o) => o.kind === "ConfigMap");
  const apiRoles = facts.taintedRoles.filter((r) => r.startsWith("api-"));

  // Selectors match the pod template labels.
  for (const w of workloads) {
    const sel = get(w, "spec", "selector", "matchLabels") as Labels | undefined;
    if (!matches(sel, podLabels(w))) {
      report(
        w,
        `spec.selector.matchLabels ${JSON.stringify(sel ?? {})} does not match the pod template labels`,
      );
    }
  }

  // Services, PDBs and HPAs point at real workloads.
  const selectsSomething = (o: K8sObject, sel: Labels | undefined) =>
    workloads.some((w) => ns(w) === ns(o) && matches(sel, podLabels(w)));
  for (const s of services) {
    const sel = get(s, "spec", "selector") as Labels | undefined;
    if (!sel) continue;
    if (!selectsSomething(s, sel)) report(s, `selector ${JSON.stringify(sel)} selects no pods`);
  }
  for (const p of objects.filter((o) => o.kind === "PodDisruptionBudget")) {
    const sel = get(p, "spec", "selector", "matchLabels") as Labels | undefined;
    if (!selectsSomething(p, sel))
      report(p, `selector ${JSON.stringify(sel ?? {})} selects no pods`);
  }
  for (const h of objects.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
    const ref = (get(h, "spec", "scaleTargetRef") ?? {}) as Dict;
    if (
      !workloads.some(
        (w) => w.kind === ref.kind && w.metadata?.name === ref.name && ns(w) === ns(h),
      )
    ) {
      report(h, `scaleTargetRef ${ref.kind}/${ref.name} does not exist`);
    }
  }

  // Every ServiceMonitor finds its Service, and the Service has the endpoint's port.
  for (const sm of objects.filter((o) => o.kind === "ServiceMonitor")) {
    const sel = get(sm, "spec", "selector", "matchLabels") as Labels | undefined;
    const nsSel = (get(sm, "spec", "namespaceSelector") ?? {}) as {
      any?: boolean;
      matchNames?: string[];
    };
    const inScope = (s: K8sObject) => nsSel.any || (nsSel.matchNames ?? [ns(sm)]).includes(ns(s));
    const found = services.filter((s) => inScope(s) && matches(sel, s.metadata?.labels));
    if (found.length === 0) {
      report(sm, `selector ${JSON.stringify(sel ?? {})} finds no Service`);
      continue;
    }
    for (const ep of (get(sm, "spec", "endpoints") ?? []) as { port?: string }[]) {
      const ok = found.some((s) =>
        ((get(s, "spec", "ports") ?? []) as { name?: string }[]).some((p) => p.name === ep.port),
      );
      if (!ok)
        report(
          sm,
          `endpoint port "${ep.port}" is not a port of Service ${found[0]?.metadata?.name}`,
        );
    }
  }

  for (const w of workloads) {
    const pod = podSpec(w);
    const podSec = (pod.securityContext ?? {}) as Dict;
    for (const c of containers(w)) {
      const where = `container ${c.name}`;
      // Probes and resources.
      if (!c.livenessProbe) report(w, `${where} has no livenessProbe`);
      if (!c.readinessProbe) report(w, `${where} has no readinessProbe`);
      for (const key of ["cpu", "memory"]) {
        if (!c.resources?.limits?.[key]) report(w, `${where} has no ${key} limit`);
        if (!c.resources?.requests?.[key]) report(w, `${where} has no ${key} request`);
      }
      // Probe ports must be ports the container declares.
      for (const kind of ["livenessProbe", "readinessProbe", "startupProbe"] as const) {
        const probe = c[kind];
        if (!probe) continue;
        const port = probePort(probe);
        if (port !== undefined && !hasPort(c, port)) {
          report(
            w,
            `${where} ${kind} port ${JSON.stringify(port)} is not one of its container ports`,
          );
        }
      }
      // Non-root, read-only root filesystem.
      const sec = c.securityContext ?? {};
      if (sec.runAsNonRoot !== true && podSec.runAsNonRoot !== true)
        report(w, `${where} may run as root`);
      if (sec.readOnlyRootFilesystem !== true) report(w, `${where} root filesystem is writable`);
      if (sec.allowPrivilegeEscalation !== false) report(w, `${where} allows privilege escalation`);
      // Port variables our processes read agree with the ports the container exposes
      // (third-party images such as the exporters do not read them).
      if (!OUR_COMPONENTS.has(podLabels(w)?.["app.kubernetes.io/component"] ?? "")) continue;
      const fromConfig = (name: string): string | undefined => {
        for (const ef of c.envFrom ?? []) {
          const cm = configMaps.find(
            (m) => m.metadata?.name === ef.configMapRef?.name && ns(m) === ns(w),
          );
          const v = get(cm, "data", name);
          if (typeof v === "string") return v;
        }
        return undefined;
      };
      for (const [variable, portName] of [
        ["PORT", "http"],
        ["GRPC_PORT", "grpc"],
        ["METRICS_PORT", "metrics"],
      ] as const) {
        const port = (c.ports ?? []).find((p) => p.name === portName);
        if (!port) continue;
        const value = c.env?.find((e) => e.name === variable)?.value ?? fromConfig(variable);
        if (value === undefined)
          report(w, `${where} exposes port "${portName}" but ${variable} is not set`);
        else if (Number(value) !== port.containerPort) {
          report(
            w,
            `${where} ${variable}=${value} but its "${portName}" port is ${port.containerPort}`,
          );
        }
      }
    }

    // Scheduling: a nodeSelector on a tainted role needs the matching toleration.
    const nodeSelector = (pod.nodeSelector ?? {}) as Labels;
    const role = nodeSelector[ROLE_KEY];
    if (role !== undefined) {
      if (!facts.taintedRoles.includes(role) && role !== "control-plane") {
        report(w, `nodeSelector ${ROLE_KEY}=${role} names no node role in infra/terraform`);
      } else if (!tolerates(w, role)) {
        report(
          w,
          `nodeSelector ${ROLE_KEY}=${role} but no toleration for the ${role}:NoSchedule taint`,
        );
      }
    }
    if (nodeSelector[TIER_KEY] === "api") {
      const missing = apiRoles.filter((r) => !tolerates(w, r));
      if (missing.length > 0)
        report(w, `runs on the api tier but does not tolerate ${missing.join(", ")}`);
    }
  }

  // Every tainted node role has something that tolerates it; otherwise the node idles.
  for (const role of facts.taintedRoles) {
    if (facts.externallyTolerated[role]) continue;
    if (!workloads.some((w) => tolerates(w, role))) {
      problems.push(
        problem(fallback, `no workload tolerates the taint ${ROLE_KEY}=${role}:NoSchedule`),
      );
    }
  }

  // Service ports resolve to container ports of the pods they select.
  for (const s of services) {
    const sel = get(s, "spec", "selector") as Labels | undefined;
    const pods = workloads.filter((w) => ns(w) === ns(s) && matches(sel, podLabels(w)));
    if (pods.length === 0) continue;
    for (const p of (get(s, "spec", "ports") ?? []) as {
      name?: string;
      port: number;
      targetPort?: number | string;
      nodePort?: number;
    }[]) {
      const target = p.targetPort ?? p.port;
      if (!pods.some((w) => containers(w).some((c) => hasPort(c, target)))) {
        report(
          s,
          `port ${p.name ?? p.port} targets ${JSON.stringify(target)}, which no selected container exposes`,
        );
      }
      if (
        p.nodePort !== undefined &&
        facts.gatewayNodePort !== undefined &&
        s.metadata?.name === "gateway"
      ) {
        if (p.nodePort !== facts.gatewayNodePort) {
          report(
            s,
            `nodePort ${p.nodePort} differs from gateway_node_port ${facts.gatewayNodePort} in infra/terraform`,
          );
        }
      }
    }
  }

  // Default-deny in every namespace that runs workloads.
  for (const namespace of new Set(workloads.map(ns))) {
    const denyAll = objects.some(
      (o) =>
        o.kind === "NetworkPolicy" &&
        ns(o) === namespace &&
        Object.keys((get(o, "spec", "podSelector") ?? { x: 1 }) as Dict).length === 0 &&
        ((get(o, "spec", "policyTypes") ?? []) as string[]).includes("Ingress") &&
        ((get(o, "spec", "policyTypes") ?? []) as string[]).includes("Egress") &&
        !get(o, "spec", "ingress") &&
        !get(o, "spec", "egress"),
    );
    if (!denyAll)
      problems.push(problem(fallback, `namespace ${namespace} has no default-deny NetworkPolicy`));
  }

  return problems;
}
