// What a run of infra/ansible/site.yml would see, offline: the plays and their roles, the hosts of
// the example inventory (the shape Terraform renders), every host's variables in Ansible's
// precedence order, and the facts that only exist at run time (stubbed with realistic values).
// ansible-render.py then resolves the variables and renders the role templates with
// StrictUndefined, so an undefined variable fails here instead of halfway through a rebuild.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { run } from "./exec.ts";

export const ANSIBLE_DIR = "infra/ansible";

type Vars = Record<string, unknown>;

export interface Play {
  hosts: string;
  roles: string[];
}

export interface InventoryHost {
  name: string;
  group: string;
  vars: Vars;
}

export interface AnsibleModel {
  plays: Play[];
  hosts: InventoryHost[];
  groups: Record<string, string[]>;
  /** Role name -> its defaults (roles/<r>/defaults/main.yml). */
  defaults: Record<string, Vars>;
  groupVars: Vars;
}

const readYaml = (path: string): unknown =>
  existsSync(path) ? parse(readFileSync(path, "utf8")) : undefined;

export function loadAnsible(root: string): AnsibleModel {
  const dir = join(root, ANSIBLE_DIR);
  const site = (readYaml(join(dir, "site.yml")) ?? []) as {
    hosts: string;
    roles?: ({ role: string } | string)[];
  }[];
  const plays = site.map((p) => ({
    hosts: p.hosts,
    roles: (p.roles ?? []).map((r) => (typeof r === "string" ? r : r.role)),
  }));
  const inv = (readYaml(join(dir, "inventory/example.yml")) ?? {}) as {
    all?: { vars?: Vars; children?: Record<string, { vars?: Vars; hosts?: Record<string, Vars> }> };
  };
  const hosts: InventoryHost[] = [];
  const groups: Record<string, string[]> = { all: [] };
  for (const [group, g] of Object.entries(inv.all?.children ?? {})) {
    groups[group] = Object.keys(g.hosts ?? {});
    for (const [name, hv] of Object.entries(g.hosts ?? {})) {
      hosts.push({ name, group, vars: { ...(inv.all?.vars ?? {}), ...(g.vars ?? {}), ...hv } });
      groups.all!.push(name);
    }
  }
  const defaults: Record<string, Vars> = {};
  const rolesDir = join(dir, "roles");
  for (const r of existsSync(rolesDir) ? readdirSync(rolesDir) : []) {
    defaults[r] = (readYaml(join(rolesDir, r, "defaults/main.yml")) ?? {}) as Vars;
  }
  const groupVars = (readYaml(join(dir, "group_vars/all.yml")) ?? {}) as Vars;
  return { plays, hosts, groups, defaults, groupVars };
}

/** Hosts a play pattern selects: `all`, a group, or `all:!group`. */
export function hostsOf(model: AnsibleModel, pattern: string): string[] {
  const [include, ...excludes] = pattern.split(":");
  const base = model.groups[include ?? ""] ?? [];
  const excluded = new Set(
    excludes.filter((e) => e.startsWith("!")).flatMap((e) => model.groups[e.slice(1)] ?? []),
  );
  return base.filter((h) => !excluded.has(h));
}

/**
 * Facts a real run registers on the way (instance metadata, the join command, the encryption
 * key, the extra-vars file scripts/rebuild writes). Only these are stubbed: anything else a
 * template uses must come from the defaults, group_vars or the inventory.
 */
export function runtimeFacts(model: AnsibleModel, host: InventoryHost): Vars {
  const i = model.hosts.indexOf(host);
  const facts: Vars = {
    eco2_instance_id: `i-0${(0xabc000 + i).toString(16)}0123456789`.slice(0, 19),
    eco2_availability_zone: i % 2 === 0 ? "ap-northeast-2a" : "ap-northeast-2c",
  };
  if (host.group === "control_plane") {
    facts.kubeadm_join_command = {
      stdout: `kubeadm join ${host.vars.private_ip}:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:${"0".repeat(64)}`,
    };
    facts.kubeadm_encryption_key = {
      content: Buffer.from(`${Buffer.alloc(32, 7).toString("base64")}\n`).toString("base64"),
    };
    facts.alertmanager_receiver_url = RUNTIME_ALERT_URL;
  }
  return facts;
}

/** The receiver URL the stub extra-vars carry (scripts/rebuild passes the real one). */
export const RUNTIME_ALERT_URL = "https://hooks.slack.com/services/T000/B000/XXXX";

/** Every host's variables, lowest precedence first, as Ansible would merge them. */
export function hostVars(root: string, model: AnsibleModel, host: InventoryHost): Vars {
  const roleDefaults = Object.assign({}, ...Object.values(model.defaults)) as Vars;
  return {
    ...roleDefaults,
    ...model.groupVars,
    ...host.vars,
    ...runtimeFacts(model, host),
    inventory_hostname: host.name,
    groups: model.groups,
    group_names: [host.group],
    playbook_dir: join(root, ANSIBLE_DIR),
  };
}

export interface Rendered {
  vars: Record<string, Vars>;
  rendered: { file: string; host: string; text: string }[];
  errors: { file: string | null; host: string; var?: string; message: string }[];
}

let pythonCache: string | null | undefined;

/** A python3 that can import jinja2 (Debian's python3-jinja2 comes with ansible). */
export function findPython(): string | null {
  if (pythonCache !== undefined) return pythonCache;
  pythonCache = null;
  for (const p of ["python3", "/usr/bin/python3"]) {
    if (run(p, ["-c", "import jinja2"], { timeoutMs: 20_000 }).code === 0) {
      pythonCache = p;
      break;
    }
  }
  return pythonCache;
}

/** Role templates each play renders, per host that runs it. */
function templateJobs(root: string, model: AnsibleModel) {
  const jobs: { file: string; host: string; path: string }[] = [];
  for (const play of model.plays) {
    for (const role of play.roles) {
      const dir = join(root, ANSIBLE_DIR, "roles", role, "templates");
      if (!existsSync(dir)) continue;
      for (const t of readdirSync(dir).filter((f) => f.endsWith(".j2"))) {
        for (const host of hostsOf(model, play.hosts)) {
          const file = `${ANSIBLE_DIR}/roles/${role}/templates/${t}`;
          jobs.push({ file, host, path: join(root, file) });
        }
      }
    }
  }
  return jobs;
}

export function renderAnsible(root: string, model: AnsibleModel, python: string): Rendered {
  const hosts = Object.fromEntries(model.hosts.map((h) => [h.name, hostVars(root, model, h)]));
  const r = run(python, [join(import.meta.dirname, "ansible-render.py")], {
    input: JSON.stringify({
      hosts,
      templates: templateJobs(root, model),
      skip: ["groups", "group_names", "inventory_hostname", "playbook_dir"],
    }),
    timeoutMs: 60_000,
  });
  if (r.code !== 0) throw new Error(`ansible-render.py failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as Rendered;
}

/** The file that defines a variable: a role's defaults, group_vars/all.yml, or the inventory. */
export function definingFile(model: AnsibleModel, name: string): string {
  if (name in model.groupVars) return `${ANSIBLE_DIR}/group_vars/all.yml`;
  for (const [role, d] of Object.entries(model.defaults)) {
    if (name in d) return `${ANSIBLE_DIR}/roles/${role}/defaults/main.yml`;
  }
  return `${ANSIBLE_DIR}/inventory/example.yml`;
}
