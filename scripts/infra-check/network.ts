// Address plan and security groups, from the HCL and the Ansible variables: the pod, service
// and VPC ranges must not overlap (Calico would route VPC addresses into the overlay), the
// NetworkPolicies must know the real VPC range, and the security groups must carry every flow
// kubeadm, Calico and the ALB need between the nodes Terraform creates.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { VPC_CIDR as POLICY_VPC_CIDR } from "../../infra/k8s/generate/network.ts";
import { parseModule } from "./terraform.ts";
import { type Problem, problem } from "./types.ts";

type Hcl = Record<string, unknown>;
const TF = "infra/terraform";
const GROUP_VARS = "infra/ansible/group_vars/all.yml";

export function parseCidr(cidr: string): { base: number; bits: number } | null {
  const m = cidr.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return null;
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), bits };
}

export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y) return false;
  const xEnd = x.base + 2 ** (32 - x.bits);
  const yEnd = y.base + 2 ** (32 - y.bits);
  return x.base < yEnd && y.base < xEnd;
}

const contains = (outer: string, inner: string) => {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return !!o && !!i && o.bits <= i.bits && overlaps(outer, inner);
};

function variableDefault(files: Map<string, Hcl>, name: string): unknown {
  for (const h of files.values()) {
    const v = (h.variable as Record<string, { default?: unknown }[]> | undefined)?.[name]?.[0];
    if (v) return v.default;
  }
  return undefined;
}

function checkCidrs(root: string, files: Map<string, Hcl>): Problem[] {
  const vars = (parse(readFileSync(join(root, GROUP_VARS), "utf8")) ?? {}) as Record<
    string,
    unknown
  >;
  const ranges = [
    {
      name: "pod CIDR (kubernetes_pod_cidr)",
      cidr: String(vars.kubernetes_pod_cidr),
      file: GROUP_VARS,
    },
    {
      name: "service CIDR (kubernetes_service_cidr)",
      cidr: String(vars.kubernetes_service_cidr),
      file: GROUP_VARS,
    },
    {
      name: "VPC CIDR (vpc_cidr)",
      cidr: String(variableDefault(files, "vpc_cidr")),
      file: `${TF}/variables.tf`,
    },
  ];
  const problems: Problem[] = [];
  for (const r of ranges)
    if (!parseCidr(r.cidr))
      problems.push(problem(r.file, `${r.name} ${r.cidr} is not an IPv4 CIDR`));
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const [a, b] = [ranges[i]!, ranges[j]!];
      if (overlaps(a.cidr, b.cidr))
        problems.push(problem(a.file, `${a.name} ${a.cidr} overlaps the ${b.name} ${b.cidr}`));
    }
  }
  const vpc = ranges[2]!.cidr;
  if (POLICY_VPC_CIDR !== vpc)
    problems.push(
      problem(
        "infra/k8s/generate/network.ts",
        `VPC_CIDR ${POLICY_VPC_CIDR} differs from Terraform's vpc_cidr ${vpc}: the gateway NetworkPolicy would drop the ALB`,
      ),
    );
  return problems;
}

interface Rule {
  name: string;
  sg: string;
  protocol: string;
  from: number | null;
  to: number | null;
  cidr: string | null;
  source: string | null;
}

const num = (v: unknown, locals: Hcl): number | null => {
  if (v === null || v === undefined) return null;
  const ref = String(v).match(/^\$\{local\.(\w+)\}$/)?.[1];
  return Number(ref ? locals[ref] : v);
};

/** The static ingress rules (local.cluster_ingress_rules) and the egress resources. */
function securityRules(files: Map<string, Hcl>): { ingress: Rule[]; egress: Rule[]; locals: Hcl } {
  const locals: Hcl = Object.assign(
    {},
    ...[...files.values()].flatMap((h) => (h.locals as Hcl[] | undefined) ?? []),
  );
  const static_ = (locals.cluster_ingress_rules ?? {}) as Record<string, Hcl>;
  const ingress = Object.entries(typeof static_ === "object" ? static_ : {}).map(([name, r]) => ({
    name,
    sg: String(r.sg),
    protocol: String(r.protocol),
    from: num(r.from, locals),
    to: num(r.to, locals),
    cidr: (r.cidr as string | null) ?? null,
    source: (r.source as string | null) ?? null,
  }));
  const egress: Rule[] = [];
  for (const h of files.values()) {
    const res = (h.resource as Record<string, Record<string, Hcl[]>> | undefined)
      ?.aws_vpc_security_group_egress_rule;
    for (const [name, [r]] of Object.entries(res ?? {})) {
      if (!r) continue;
      const sgOf = (v: unknown) => String(v ?? "").match(/this\["(\w+)"\]/)?.[1] ?? null;
      egress.push({
        name,
        sg: sgOf(r.security_group_id) ?? "",
        protocol: String(r.ip_protocol),
        from: num(r.from_port, locals),
        to: num(r.to_port, locals),
        cidr: (r.cidr_ipv4 as string | undefined) ?? null,
        source: sgOf(r.referenced_security_group_id),
      });
    }
  }
  return { ingress, egress, locals };
}

/** Security groups per Ansible group, read from aws_instance.node's vpc_security_group_ids. */
function groupSgs(root: string): Record<string, string[]> {
  const text = readFileSync(join(root, TF, "compute.tf"), "utf8");
  const block = text.match(/vpc_security_group_ids\s*=\s*concat\(([\s\S]*?)\n\s*\)/)?.[1] ?? "";
  const always = [...block.matchAll(/^\s*\[aws_security_group\.this\["(\w+)"\]\.id\]/gm)].map(
    (m) => m[1]!,
  );
  const out: Record<string, string[]> = {};
  for (const g of ["control_plane", "api", "workers", "infra"]) {
    const extra = [
      ...block.matchAll(
        new RegExp(`group == "${g}" \\? \\[aws_security_group\\.this\\["(\\w+)"\\]`, "g"),
      ),
    ].map((m) => m[1]!);
    out[g] = [...always, ...extra];
  }
  return out;
}

interface Flow {
  what: string;
  from: string;
  to: string;
  protocol: string;
  port: number | null;
}

const allows = (r: Rule, srcSgs: string[], dstSgs: string[], f: Flow, vpc: string) =>
  dstSgs.includes(r.sg) &&
  ((r.source !== null && srcSgs.includes(r.source)) ||
    (r.cidr !== null && contains(r.cidr, vpc))) &&
  (r.protocol === "-1" || r.protocol === f.protocol) &&
  (f.port === null
    ? r.protocol === "-1" || (r.from === 0 && r.to === 65535)
    : r.from === null || (f.port >= r.from && f.port <= (r.to ?? r.from)));

/** An egress rule of a source group lets the flow out towards a destination group. */
const egressAllows = (r: Rule, srcSgs: string[], dstSgs: string[], f: Flow) =>
  srcSgs.includes(r.sg) &&
  ((r.source !== null && dstSgs.includes(r.source)) || r.cidr === "0.0.0.0/0") &&
  (r.protocol === "-1" || r.protocol === f.protocol) &&
  (f.port === null || r.from === null || (f.port >= r.from && f.port <= (r.to ?? r.from)));

function checkSecurityGroups(root: string, files: Map<string, Hcl>): Problem[] {
  const file = `${TF}/security.tf`;
  const { ingress, egress, locals } = securityRules(files);
  if (ingress.length === 0)
    return [problem(file, "local.cluster_ingress_rules is missing or not a static map")];
  const sgs = groupSgs(root);
  const calico = readFileSync(
    join(root, "infra/ansible/roles/calico/templates/installation.yaml.j2"),
    "utf8",
  );
  const encapsulation = calico.match(/encapsulation:\s*(\w+)/)?.[1] ?? "";
  const nodePort = Number(locals.gateway_node_port);
  const vpc = String(variableDefault(files, "vpc_cidr"));
  const groups = Object.keys(sgs);
  const pairs = (what: string, protocol: string, port: number | null, from = groups, to = groups) =>
    from.flatMap((a) => to.map((b) => ({ what, from: a, to: b, protocol, port })));
  const flows: Flow[] = [
    ...pairs("node to node (pod traffic routed natively inside a subnet)", "-1", null),
    ...pairs("API server", "tcp", 6443, groups, ["control_plane"]),
    ...pairs("kubelet", "tcp", 10250, ["control_plane"], groups),
    { what: "etcd", from: "control_plane", to: "control_plane", protocol: "tcp", port: 2379 },
    { what: "etcd peers", from: "control_plane", to: "control_plane", protocol: "tcp", port: 2380 },
    ...pairs("Calico BGP", "tcp", 179),
    ...pairs("Calico Typha", "tcp", 5473),
    ...(encapsulation.startsWith("IPIP") ? pairs("Calico IP-in-IP", "4", null) : []),
    ...(encapsulation.startsWith("VXLAN") ? pairs("Calico VXLAN", "udp", 4789) : []),
  ];
  const problems: Problem[] = [];
  for (const f of flows) {
    const src = sgs[f.from] ?? [];
    const dst = sgs[f.to] ?? [];
    if (!ingress.some((r) => allows(r, src, dst, { ...f, port: f.port }, vpc)))
      problems.push(
        problem(
          file,
          `${f.what}: ${f.from} → ${f.to} ${f.protocol === "-1" ? "all traffic" : `${f.protocol}${f.port ? `/${f.port}` : ""}`} is not allowed by any ingress rule`,
        ),
      );
  }
  const alb = {
    what: "ALB to gateway NodePort",
    from: "alb",
    to: "api",
    protocol: "tcp",
    port: nodePort,
  };
  if (!ingress.some((r) => allows(r, ["alb"], sgs.api ?? [], alb, vpc)))
    problems.push(
      problem(file, `${alb.what} tcp/${nodePort}: no ingress rule on the api nodes admits the ALB`),
    );
  if (!egress.some((r) => egressAllows(r, ["alb"], sgs.api ?? [], alb)))
    problems.push(
      problem(
        file,
        `${alb.what} tcp/${nodePort}: the ALB security group has no egress to the api nodes`,
      ),
    );
  return problems;
}

export async function checkNetwork(root: string): Promise<Problem[]> {
  const { files, problems } = await parseModule(root);
  if (problems.length > 0) return problems;
  return [...checkCidrs(root, files), ...checkSecurityGroups(root, files)];
}
