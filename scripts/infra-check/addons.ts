// Checks of what Ansible installs, on the variables and templates ansible-render.py produced:
// the kubelet's provider ID, Secret encryption at rest, pod placement of every chart against
// the taints the inventory gets, metrics-server for the HPAs, the StorageClasses charts ask
// for, and the Alertmanager routing.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import {
  ANSIBLE_DIR,
  type AnsibleModel,
  definingFile,
  hostsOf,
  type InventoryHost,
  type Rendered,
  RUNTIME_ALERT_URL,
  runtimeFacts,
} from "./ansible-model.ts";
import { CHART_PODS } from "./charts.ts";
import type { K8sObject } from "./sources.ts";
import { type Problem, problem } from "./types.ts";

type Dict = Record<string, unknown>;
const ROLE_KEY = "eco2.io/role";
const CP_TAINT = "node-role.kubernetes.io/control-plane";

const at = (o: unknown, path: string): unknown =>
  path === ""
    ? o
    : path
        .split(".")
        .reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Dict)[k] : undefined), o);

const docs = (text: string): Dict[] =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as Dict)
    .filter(Boolean);

/** One problem per file and error, naming the hosts it happened for. */
function renderErrors(model: AnsibleModel, r: Rendered): Problem[] {
  const byError = new Map<string, { file: string; message: string; hosts: string[] }>();
  for (const e of r.errors) {
    const file = e.file ?? definingFile(model, e.var ?? "");
    const key = `${file}\u0000${e.message}`;
    const entry = byError.get(key) ?? { file, message: e.message, hosts: [] };
    entry.hosts.push(e.host);
    byError.set(key, entry);
  }
  return [...byError.values()].map((e) => {
    const hosts =
      e.hosts.length > 3
        ? `${e.hosts.slice(0, 3).join(", ")} and ${e.hosts.length - 3} more`
        : e.hosts.join(", ");
    return problem(e.file, `does not render for ${hosts}: ${e.message}`);
  });
}

/** Init/JoinConfiguration of every node sets the kubelet's provider ID from instance metadata. */
function providerIds(model: AnsibleModel, r: Rendered): Problem[] {
  const problems: Problem[] = [];
  const covered = new Set<string>();
  for (const t of r.rendered) {
    for (const d of docs(t.text)) {
      if (d.kind !== "InitConfiguration" && d.kind !== "JoinConfiguration") continue;
      const host = model.hosts.find((h) => h.name === t.host) as InventoryHost;
      const facts = runtimeFacts(model, host);
      const want = `aws:///${facts.eco2_availability_zone}/${facts.eco2_instance_id}`;
      const args = (at(d, "nodeRegistration.kubeletExtraArgs") ?? []) as {
        name?: string;
        value?: string;
      }[];
      const got = args.find((a) => a.name === "provider-id")?.value;
      if (got === want) covered.add(t.host);
      else
        problems.push(
          problem(
            t.file,
            `${d.kind} for ${t.host}: kubelet provider-id is ${JSON.stringify(got)}, want ${want} (from instance metadata); without it the AWS load balancer controller cannot register the node`,
          ),
        );
    }
  }
  const missing = model.hosts.filter((h) => !covered.has(h.name)).map((h) => h.name);
  if (missing.length > 0 && problems.length === 0)
    problems.push(
      problem(
        `${ANSIBLE_DIR}/site.yml`,
        `no kubeadm Init/JoinConfiguration sets the kubelet provider-id for ${missing.join(", ")}`,
      ),
    );
  return problems;
}

/** kube-apiserver reads an EncryptionConfiguration whose first provider for Secrets encrypts. */
function encryptionAtRest(r: Rendered): Problem[] {
  const file = `${ANSIBLE_DIR}/roles/kubeadm_init/templates/kubeadm.yaml.j2`;
  const all = r.rendered.flatMap((t) => docs(t.text).map((d) => ({ file: t.file, d })));
  const cluster = all.find((x) => x.d.kind === "ClusterConfiguration")?.d;
  const args = (at(cluster, "apiServer.extraArgs") ?? []) as { name?: string; value?: string }[];
  const path = args.find((a) => a.name === "encryption-provider-config")?.value;
  if (!path)
    return [
      problem(
        file,
        "kube-apiserver has no encryption-provider-config: Secrets sit in etcd in clear",
      ),
    ];
  const volumes = (at(cluster, "apiServer.extraVolumes") ?? []) as { mountPath?: string }[];
  const problems: Problem[] = [];
  if (!volumes.some((v) => v.mountPath && path.startsWith(`${v.mountPath}/`)))
    problems.push(problem(file, `${path} is not inside any apiServer.extraVolumes mountPath`));
  const enc = all.find((x) => x.d.kind === "EncryptionConfiguration");
  const secrets = ((enc?.d.resources ?? []) as { resources?: string[]; providers?: Dict[] }[]).find(
    (x) => x.resources?.includes("secrets"),
  );
  const first = Object.keys(secrets?.providers?.[0] ?? { identity: {} })[0];
  if (!enc || first === "identity")
    problems.push(
      problem(
        enc?.file ?? file,
        "no EncryptionConfiguration encrypts secrets (first provider must not be identity)",
      ),
    );
  return problems;
}

interface Node {
  name: string;
  labels: Record<string, string>;
  taints: { key: string; value?: string }[];
}

/** Labels and NoSchedule taints each inventory host ends up with (kubeadm + node_labels role). */
export function clusterNodes(model: AnsibleModel): Node[] {
  return model.hosts.map((h) => {
    const cp = h.group === "control_plane";
    const role = String(h.vars.eco2_role ?? h.name);
    const labels: Record<string, string> = cp
      ? { [CP_TAINT]: "" }
      : { [ROLE_KEY]: role, ...(h.group === "api" ? { "eco2.io/tier": "api" } : {}) };
    return {
      name: h.name,
      labels,
      taints: cp ? [{ key: CP_TAINT }] : [{ key: ROLE_KEY, value: role }],
    };
  });
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

const tolerates = (ts: Toleration[], taint: { key: string; value?: string }) =>
  ts.some(
    (t) =>
      (!t.effect || t.effect === "NoSchedule") &&
      ((t.operator === "Exists" && !t.key) ||
        (t.key === taint.key && (t.operator === "Exists" || t.value === taint.value))),
  );

interface HelmInstall {
  role: string;
  chart: string;
  valuesVar: string;
  values: Dict;
}

/**
 * Every kubernetes.core.helm task in the roles site.yml runs, with its resolved values. A task
 * this cannot read (chart not from `charts`, values not one variable) is a problem, not a skip.
 */
export function helmInstalls(
  root: string,
  model: AnsibleModel,
  r: Rendered,
): { installs: HelmInstall[]; unreadable: Problem[] } {
  const installs: HelmInstall[] = [];
  const unreadable: Problem[] = [];
  const charts = (model.groupVars.charts ?? {}) as Record<string, { name?: string }>;
  for (const play of model.plays) {
    const host = hostsOf(model, play.hosts)[0];
    for (const role of play.roles) {
      const file = join(root, ANSIBLE_DIR, "roles", role, "tasks/main.yml");
      if (!existsSync(file)) continue;
      for (const task of (parse(readFileSync(file, "utf8")) ?? []) as Dict[]) {
        const helm = task["kubernetes.core.helm"] as Dict | undefined;
        if (!helm) continue;
        const chartKey = String(helm.chart_ref ?? "").match(/charts\.(\w+)\.name/)?.[1];
        const valuesVar = String(helm.values ?? "").match(/^\{\{\s*(\w+)\s*\}\}$/)?.[1];
        if (!chartKey || !valuesVar || !host) {
          unreadable.push(
            problem(
              `${ANSIBLE_DIR}/roles/${role}/tasks/main.yml`,
              `helm task "${task.name}": chart_ref must be "{{ charts.<key>.name }}" and values one "{{ <var> }}" so infra:check can check its pods`,
            ),
          );
          continue;
        }
        const values = (r.vars[host]?.[valuesVar] ?? {}) as Dict;
        installs.push({
          role,
          chart: charts[chartKey]?.name ?? chartKey,
          valuesVar,
          values,
        });
      }
    }
  }
  return { installs, unreadable };
}

/** Every pod a chart creates can schedule on a node it selects, given the inventory's taints. */
function placement(model: AnsibleModel, installs: HelmInstall[]): Problem[] {
  const nodes = clusterNodes(model);
  const problems: Problem[] = [];
  for (const inst of installs) {
    const file = definingFile(model, inst.valuesVar);
    const pods = CHART_PODS[inst.chart];
    if (!pods) {
      problems.push(
        problem(
          file,
          `chart ${inst.chart}: its pods' placement paths are unknown; add them to scripts/infra-check/charts.ts`,
        ),
      );
      continue;
    }
    for (const p of pods) {
      const pick = (k: string) =>
        at(inst.values, p.path ? `${p.path}.${k}` : k) ??
        (p.fallback ? at(inst.values, `${p.fallback}.${k}`) : undefined);
      const where = `${inst.chart} ${p.path || "(root)"}`;
      const selector = (pick("nodeSelector") ?? {}) as Record<string, string>;
      const tols = (pick("tolerations") ?? []) as Toleration[];
      const allTaints =
        at(inst.values, p.path ? `${p.path}.tolerateAllTaints` : "tolerateAllTaints") === true;
      const candidates = nodes.filter((n) =>
        Object.entries(selector).every(([k, v]) => n.labels[k] === v),
      );
      if (candidates.length === 0) {
        problems.push(
          problem(file, `${where}: nodeSelector ${JSON.stringify(selector)} matches no node`),
        );
        continue;
      }
      const fits = (n: Node) => allTaints || n.taints.every((t) => tolerates(tols, t));
      const fitting = candidates.filter(fits);
      if (p.everyNode && fitting.length < candidates.length) {
        const left = candidates.filter((n) => !fits(n)).map((n) => n.name);
        problems.push(
          problem(
            file,
            `${where}: runs on every node but cannot tolerate the taints of ${left.join(", ")}`,
          ),
        );
      } else if (fitting.length === 0) {
        const taints = [
          ...new Set(
            candidates.flatMap((n) =>
              n.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:NoSchedule`),
            ),
          ),
        ];
        problems.push(
          problem(
            file,
            `${where}: no tolerations for the taints of the nodes it may run on (${taints.slice(0, 3).join(", ")}${taints.length > 3 ? ", …" : ""}); its pods stay Pending`,
          ),
        );
      }
    }
  }
  return problems;
}

/** HPAs need the resource metrics API: some role installs metrics-server. */
function metricsApi(installs: HelmInstall[], objects: K8sObject[]): Problem[] {
  const hpas = objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
  if (hpas.length === 0 || installs.some((i) => i.chart === "metrics-server")) return [];
  return [
    problem(
      `${ANSIBLE_DIR}/site.yml`,
      `${hpas.length} HorizontalPodAutoscalers but no role installs metrics-server: every HPA reports FailedGetResourceMetric and ArgoCD keeps the apps Degraded`,
    ),
  ];
}

function deepValues(o: unknown, key: string): unknown[] {
  if (Array.isArray(o)) return o.flatMap((x) => deepValues(x, key));
  if (!o || typeof o !== "object") return [];
  return Object.entries(o).flatMap(([k, v]) => (k === key ? [v] : deepValues(v, key)));
}

/** StorageClasses a role applies from a copied file (`copy: src:`), by role. */
function storageClassesApplied(root: string, role: string): string[] {
  const file = join(root, ANSIBLE_DIR, "roles", role, "tasks/main.yml");
  if (!existsSync(file)) return [];
  const names: string[] = [];
  for (const task of (parse(readFileSync(file, "utf8")) ?? []) as Dict[]) {
    const src = String((task["ansible.builtin.copy"] as Dict | undefined)?.src ?? "");
    const path = src.replace(/\{\{\s*playbook_dir\s*\}\}/, join(root, ANSIBLE_DIR));
    if (!src || !existsSync(path)) continue;
    for (const d of docs(readFileSync(path, "utf8")))
      if (d.kind === "StorageClass") names.push(String(at(d, "metadata.name")));
  }
  return names;
}

/** A chart's PVCs name a StorageClass that an earlier role in site.yml applies. */
function storageClasses(root: string, model: AnsibleModel, installs: HelmInstall[]): Problem[] {
  const problems: Problem[] = [];
  const roleOrder = model.plays.flatMap((p) => p.roles);
  for (const inst of installs) {
    const before = roleOrder.slice(0, roleOrder.indexOf(inst.role));
    const available = before.flatMap((r) => storageClassesApplied(root, r));
    for (const sc of new Set(deepValues(inst.values, "storageClassName").map(String))) {
      if (!available.includes(sc))
        problems.push(
          problem(
            definingFile(model, inst.valuesVar),
            `${inst.chart} asks for StorageClass ${sc}, which no role before ${inst.role} in site.yml applies: its volumes stay Pending and Helm times out`,
          ),
        );
    }
  }
  return problems;
}

/** Alertmanager: the default route reaches the receiver built from the secrets file. */
function alerting(model: AnsibleModel, installs: HelmInstall[]): Problem[] {
  const kps = installs.find((i) => i.chart === "kube-prometheus-stack");
  if (!kps) return [];
  const file = definingFile(model, kps.valuesVar);
  const config = at(kps.values, "alertmanager.config") as Dict | undefined;
  if (!config) return [problem(file, "alertmanager.config is not set: alerts reach nobody")];
  const receivers = ((config.receivers ?? []) as Dict[]).map((r) => r as Dict);
  const names = receivers.map((r) => String(r.name));
  const problems: Problem[] = [];
  const routes = [at(config, "route") as Dict, ...((at(config, "route.routes") ?? []) as Dict[])];
  for (const r of routes) {
    if (!r?.receiver || !names.includes(String(r.receiver)))
      problems.push(
        problem(file, `route receiver ${JSON.stringify(r?.receiver)} is not a receiver`),
      );
  }
  const main = receivers.find((r) => r.name === at(config, "route.receiver"));
  if (!main || !JSON.stringify(main).includes(RUNTIME_ALERT_URL))
    problems.push(
      problem(
        file,
        "the default route's receiver does not use alertmanager_receiver_url (the secrets file's ALERT_WEBHOOK_URL)",
      ),
    );
  if (((config.inhibit_rules ?? []) as unknown[]).length === 0)
    problems.push(problem(file, "no inhibit_rules: a critical alert pages again as its warnings"));
  return problems;
}

/** A timer on the control plane snapshots etcd and uploads it to the Terraform backups bucket. */
function etcdBackup(model: AnsibleModel, r: Rendered): Problem[] {
  const cp = model.groups.control_plane?.[0];
  const mine = r.rendered.filter((t) => t.host === cp);
  const bucket = cp
    ? String(model.hosts.find((h) => h.name === cp)?.vars.etcd_backup_bucket ?? "")
    : "";
  const script = mine.find((t) => /etcdctl[\s\S]*snapshot save/.test(t.text));
  const problems: Problem[] = [];
  if (!script || !bucket || !script.text.includes(`s3://${bucket}/`))
    problems.push(
      problem(
        `${ANSIBLE_DIR}/site.yml`,
        "no role on the control plane snapshots etcd to the backups bucket (etcd_backup_bucket from the Terraform inventory)",
      ),
    );
  else if (!mine.some((t) => /\[Timer\][\s\S]*OnCalendar=/.test(t.text)))
    problems.push(
      problem(script.file, "the etcd snapshot script has no systemd timer: it never runs"),
    );
  return problems;
}

export function checkAddons(
  root: string,
  model: AnsibleModel,
  rendered: Rendered,
  objects: K8sObject[],
): Problem[] {
  const { installs, unreadable } = helmInstalls(root, model, rendered);
  return [
    ...unreadable,
    ...renderErrors(model, rendered),
    ...providerIds(model, rendered),
    ...encryptionAtRest(rendered),
    ...placement(model, installs),
    ...metricsApi(installs, objects),
    ...storageClasses(root, model, installs),
    ...alerting(model, installs),
    ...etcdBackup(model, rendered),
  ];
}
