// runInfraCheck(root): every check of infra/, as a list of step results. The CLI
// (scripts/infra-check.ts) prints them; the tests call it on scratch copies of infra/.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkAddons } from "./addons.ts";
import { ansibleLint, ansibleSyntax, yamllint } from "./ansible.ts";
import { findPython, loadAnsible, renderAnsible } from "./ansible-model.ts";
import { checkDelivery } from "./delivery.ts";
import { checkBindings, checkImages, checkImds, pushedImages } from "./deploy-config.ts";
import { checkGenerated } from "./generated.ts";
import { type ClusterFacts, checkInvariants } from "./invariants.ts";
import { type Build, build, kustomizeTargets } from "./kustomize.ts";
import { knownLabelValues } from "./labels.ts";
import { checkDashboards, checkRules, runPromtool } from "./monitoring.ts";
import { checkNetwork } from "./network.ts";
import { validateSchemas } from "./schemas.ts";
import { SourceIndex } from "./sources.ts";
import {
  clusterLayout,
  parseModule,
  terraformFmt,
  terraformStructure,
  terraformValidateTest,
} from "./terraform.ts";
import { ensureTool, findProviderMirror, findTerraform, type Tool } from "./tools.ts";
import type { CheckOptions, Problem, StepResult } from "./types.ts";

export const STEPS = [
  "generated",
  "kustomize",
  "schemas",
  "invariants",
  "deploy-config",
  "monitoring",
  "promtool",
  "ansible-syntax",
  "ansible-lint",
  "yamllint",
  "addons",
  "network",
  "delivery",
  "terraform-structure",
  "terraform-fmt",
  "terraform-validate",
] as const;
export type StepName = (typeof STEPS)[number];

type Outcome = { problems?: Problem[]; notes?: string[]; skipped?: string };

export async function runInfraCheck(root: string, opts: CheckOptions = {}): Promise<StepResult[]> {
  const log = opts.log ?? (() => {});
  const install = opts.install ?? true;
  const wanted = (s: StepName) => !opts.only?.length || opts.only.includes(s);
  const results: StepResult[] = [];

  const step = async (name: StepName, body: () => Outcome | Promise<Outcome>) => {
    if (!wanted(name)) return;
    const t0 = performance.now();
    log(`… ${name}`);
    const out = await body();
    const problems = out.problems ?? [];
    results.push({
      step: name,
      status: out.skipped ? "skipped" : problems.length > 0 ? "fail" : "pass",
      problems,
      notes: out.skipped ? [out.skipped, ...(out.notes ?? [])] : (out.notes ?? []),
      ms: Math.round(performance.now() - t0),
    });
  };
  const tool = (name: string): Tool => ensureTool(name, install, log);

  // Rendering is shared by the three Kubernetes steps.
  const kubectl = tool("kubectl");
  const sources = new SourceIndex(root);
  const targets = kustomizeTargets(root);
  const builds = new Map<string, Build>();
  const buildProblems: Problem[] = [];
  // Build only what the wanted steps read: every per-app overlay only for the kustomize step.
  const needApps = wanted("kustomize");
  const needArgo = needApps || wanted("schemas") || wanted("deploy-config");
  const needEnvs =
    needArgo || ["invariants", "monitoring", "addons"].some((s) => wanted(s as StepName));
  const buildStart = performance.now();
  if (kubectl.path && needEnvs) {
    const dirs = [
      ...targets.envs,
      ...(needApps ? targets.apps : []),
      ...(needArgo ? targets.argocd : []),
    ];
    for (const dir of dirs) {
      const r = build(root, dir, kubectl.path);
      if (r.build) builds.set(dir, r.build);
      if (r.problem) buildProblems.push(r.problem);
    }
  }
  const buildMs = Math.round(performance.now() - buildStart);
  const envBuilds = targets.envs.map((d) => builds.get(d)).filter((b): b is Build => !!b);
  const argoBuilds = targets.argocd.map((d) => builds.get(d)).filter((b): b is Build => !!b);

  await step("generated", () => {
    const modules = join(import.meta.dirname, "..", "..", "node_modules");
    if (!existsSync(modules))
      return { skipped: "SKIPPED: node_modules not found next to the check" };
    return {
      problems: checkGenerated(root, modules),
      notes: ["infra/k8s/generate.ts and the dashboard generator reproduce the committed files"],
    };
  });

  await step("kustomize", () => {
    if (!kubectl.path) return { skipped: `SKIPPED: ${kubectl.reason}` };
    const total = targets.envs.length + targets.apps.length + targets.argocd.length;
    const notes = [
      `built ${total - buildProblems.length}/${total} kustomizations in ${(buildMs / 1000).toFixed(1)}s: ${targets.envs.length} environments, ${targets.apps.length} ArgoCD apps, ${targets.argocd.length} ArgoCD entry points`,
    ];
    if (targets.envs.length === 0)
      return { problems: [{ file: "infra/k8s/overlays", message: "no overlays found" }], notes };
    return { problems: buildProblems, notes };
  });

  await step("schemas", async () => {
    if (!kubectl.path) return { skipped: `SKIPPED: ${kubectl.reason}` };
    const problems: Problem[] = [];
    let validated = 0;
    let structural = 0;
    for (const b of [...envBuilds, ...argoBuilds]) {
      const r = await validateSchemas(b.objects, sources, `${b.dir}/kustomization.yaml`);
      problems.push(...r.problems);
      validated += r.validated;
      structural += r.structural;
    }
    return {
      problems: dedupe(problems),
      notes: [
        `${validated} objects validated against published schemas, ${structural} checked structurally (TargetGroupBinding has no published model)`,
      ],
    };
  });

  await step("invariants", async () => {
    if (!kubectl.path) return { skipped: `SKIPPED: ${kubectl.reason}` };
    const facts = await clusterFacts(root);
    const problems = envBuilds.flatMap((b) =>
      checkInvariants(b.objects, sources, `${b.dir}/kustomization.yaml`, facts),
    );
    return {
      problems: dedupe(problems),
      notes: [
        `${envBuilds.length} environments; ${facts.taintedRoles.length} tainted node roles from infra/terraform`,
      ],
    };
  });

  await step("deploy-config", async () => {
    if (!kubectl.path) return { skipped: `SKIPPED: ${kubectl.reason}` };
    const pushed = pushedImages(root);
    const { files } = await parseModule(root);
    const outputs = [...files.values()].flatMap((h) => Object.keys((h.output as object) ?? {}));
    const argoObjects = argoBuilds.flatMap((b) => b.objects);
    const problems = envBuilds.flatMap((b) => {
      const fallback = `${b.dir}/kustomization.yaml`;
      const env = b.dir.split("/").pop() ?? "";
      return [
        ...checkImages(root, b.objects, sources, fallback, pushed, env),
        ...checkImds(b.objects, sources, fallback),
        ...checkBindings(b.objects, argoObjects, sources, fallback, outputs),
      ];
    });
    return {
      problems: dedupe(problems),
      notes: [
        "images pinned and pushed by .github/workflows/images.yml, pull secret, Terraform values only through ApplicationSet tokens, instance metadata for instance-profile users",
      ],
    };
  });

  await step("monitoring", () => {
    const known = knownLabelValues(
      join(import.meta.dirname, "..", ".."),
      envBuilds.flatMap((b) => b.objects),
    );
    const rules = checkRules(root, known);
    const dashboards = checkDashboards(root, known);
    return {
      problems: [...rules.problems, ...dashboards.problems],
      notes: [
        `${rules.alerts.length} alerts and ${dashboards.count} dashboards: PromQL parsed, metric names and label values checked`,
      ],
    };
  });

  await step("promtool", () => {
    const promtool = tool("promtool");
    if (!promtool.path) return { skipped: `SKIPPED: ${promtool.reason}` };
    return runPromtool(root, promtool.path);
  });

  for (const [name, bin, fn, what] of [
    ["ansible-syntax", "ansible-playbook", ansibleSyntax, "site.yml against inventory/example.yml"],
    ["ansible-lint", "ansible-lint", ansibleLint, "infra/ansible, --offline, production profile"],
    ["yamllint", "yamllint", yamllint, "infra/ansible, .github, atlantis.yaml"],
  ] as const) {
    await step(name, () => {
      const t = tool(bin);
      if (!t.path) return { skipped: `SKIPPED: ${t.reason}` };
      return { problems: fn(root, t.path), notes: [what] };
    });
  }

  await step("addons", () => {
    const python = findPython();
    if (!python)
      return { skipped: "SKIPPED: no python3 with jinja2 (apt-get install python3-jinja2)" };
    const model = loadAnsible(root);
    const rendered = renderAnsible(root, model, python);
    return {
      problems: dedupe(
        checkAddons(
          root,
          model,
          rendered,
          envBuilds.flatMap((b) => b.objects),
        ),
      ),
      notes: [
        `${rendered.rendered.length} role templates rendered for ${model.hosts.length} inventory hosts (StrictUndefined); provider-id, encryption at rest, chart placement vs taints, metrics-server, StorageClasses, Alertmanager routing`,
      ],
    };
  });

  await step("network", async () => ({
    problems: await checkNetwork(root),
    notes: [
      "pod/service/VPC CIDRs disjoint; security groups carry API server, kubelet, etcd, Calico, NodePort and node-to-node flows",
    ],
  }));

  await step("delivery", () => ({
    problems: checkDelivery(root),
    notes: [
      "Dockerfile, GitHub workflows and atlantis.yaml parsed and compared with infra/k8s/catalog.ts",
    ],
  }));

  await step("terraform-structure", async () => ({
    problems: await terraformStructure(root),
    notes: ["HCL parsed with @cdktf/hcl2json: provider, backend, node layout, outputs"],
  }));

  const terraform = findTerraform();
  await step("terraform-fmt", () => {
    if (!terraform.path)
      return { skipped: `SKIPPED: ${terraform.reason} (not installable from npm or Debian)` };
    return { problems: terraformFmt(root, terraform.path) };
  });

  await step("terraform-validate", () => {
    if (!terraform.path)
      return { skipped: `SKIPPED: ${terraform.reason}; terraform-structure ran instead` };
    const mirror = findProviderMirror();
    if (!mirror)
      return {
        skipped:
          "SKIPPED: no hashicorp/aws provider mirror (tf-plugins); terraform-structure ran instead",
      };
    return terraformValidateTest(root, terraform.path, mirror);
  });

  return results;
}

async function clusterFacts(root: string): Promise<ClusterFacts> {
  const { nodes, gatewayNodePort } = await clusterLayout(root);
  const taintedRoles = Object.keys(nodes).filter((r) => nodes[r]?.group !== "control_plane");
  // kube-prometheus-stack is installed by Ansible, not from infra/k8s; accept its toleration
  // only if the Ansible values really carry it.
  const externallyTolerated: Record<string, string> = {};
  const monitoring = join(root, "infra/ansible/roles/monitoring/defaults/main.yml");
  if (
    existsSync(monitoring) &&
    /value:\s*infra-monitoring/.test(readFileSync(monitoring, "utf8"))
  ) {
    externallyTolerated["infra-monitoring"] = "infra/ansible/roles/monitoring";
  }
  return { taintedRoles, externallyTolerated, gatewayNodePort };
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.file}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
