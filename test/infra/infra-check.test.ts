// The infra check against scratch copies of infra/: the real tree passes, and breaking a
// selector, a probe port or an alert expression (among others) fails with the file named.
// Every test passes its own timeout: bun 1.4.5 ignores bunfig.toml's [test] timeout.
import { afterAll, describe, expect, it } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPython } from "../../scripts/infra-check/ansible-model.ts";
import { run, which } from "../../scripts/infra-check/exec.ts";
import { runInfraCheck } from "../../scripts/infra-check/index.ts";
import { findProviderMirror, findTerraform } from "../../scripts/infra-check/tools.ts";
import type { StepResult } from "../../scripts/infra-check/types.ts";

const ROOT = join(import.meta.dir, "..", "..");
const K8S_STEPS = ["kustomize", "schemas", "invariants"];
// Rendering needs kubectl (kustomize built in); terraform test needs terraform and a provider mirror.
const noKubectl = !which("kubectl");
const noTerraformTest = !findTerraform().path || !findProviderMirror();
const noJinja = !findPython();
const scratch: string[] = [];
const T = 60_000;

afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
}, T);

/** A copy of infra/ and the delivery files in a temp root, with `edit` applied to one file (relative to the root). */
function copyWith(file?: string, edit?: (text: string) => string): string {
  const root = mkdtempSync(join(tmpdir(), "eco2-infra-check-"));
  scratch.push(root);
  cpSync(join(ROOT, "infra"), join(root, "infra"), {
    recursive: true,
    filter: (src) => !/\/\.terraform(\/|$)|\/\.rebuild(\/|$)/.test(src),
  });
  for (const f of ["Dockerfile", "atlantis.yaml", ".github", "catalog", "lib"])
    cpSync(join(ROOT, f), join(root, f), { recursive: true });
  if (file && edit) {
    const path = join(root, file);
    const before = readFileSync(path, "utf8");
    const after = edit(before);
    if (after === before) throw new Error(`edit did not change ${file}`);
    writeFileSync(path, after);
  }
  return root;
}

/** Problems of one step in `file`, as "message" strings. */
async function problemsOf(root: string, step: string, file: string): Promise<string[]> {
  const results = await runInfraCheck(root, { only: [step], install: false });
  expect(results[0]?.status).toBe("fail");
  return problemsIn(results, file).map((p) => p.message);
}

const some = (messages: string[], text: string) => messages.some((m) => m.includes(text));

/** Replace the first occurrence of `find` that comes after `anchor`. */
const after = (anchor: string, find: string, replace: string) => (text: string) => {
  const at = text.indexOf(anchor);
  const i = text.indexOf(find, at);
  if (at < 0 || i < 0) return text;
  return text.slice(0, i) + replace + text.slice(i + find.length);
};

/** A mutation of one file in a scratch copy, and what the infra check must report for it. */
interface Mutation {
  readonly skip?: boolean;
  readonly file: string;
  readonly edit: (text: string) => string;
  readonly step: string;
  /** Texts some problem reported against the file must contain. */
  readonly finds: readonly string[];
}

/** itCatches: the check's step reports the mutation against the file it was made in. */
function itCatches(name: string, mutation: Mutation) {
  it.skipIf(Boolean(mutation.skip))(
    name,
    async () => {
      const root = copyWith(mutation.file, mutation.edit);
      const found = await problemsOf(root, mutation.step, mutation.file);
      for (const text of mutation.finds) expect(some(found, text)).toBe(true);
    },
    T,
  );
}

const failures = (results: StepResult[]) => results.filter((r) => r.status === "fail");
const problemsIn = (results: StepResult[], file: string) =>
  results.flatMap((r) => r.problems).filter((p) => p.file === file);

describe("infra check", () => {
  it.skipIf(noKubectl)(
    "passes on the committed infra/ (generated files, kubernetes, monitoring, delivery, terraform structure)",
    async () => {
      const results = await runInfraCheck(copyWith(), {
        only: [
          "generated",
          ...K8S_STEPS,
          "deploy-config",
          "monitoring",
          "network",
          "delivery",
          "terraform-structure",
        ],
        install: false,
      });
      expect(results.map((r) => `${r.step}:${r.status}`)).toEqual([
        "generated:pass",
        "kustomize:pass",
        "schemas:pass",
        "invariants:pass",
        "deploy-config:pass",
        "monitoring:pass",
        "network:pass",
        "delivery:pass",
        "terraform-structure:pass",
      ]);
    },
    T,
  );

  it.skipIf(noKubectl)(
    "fails naming the file when a Deployment selector no longer matches its pods",
    async () => {
      const file = "infra/k8s/base/scan/deployment.yaml";
      const root = copyWith(
        file,
        after("selector:", "app.kubernetes.io/name: scan", "app.kubernetes.io/name: scan-v2"),
      );
      const results = await runInfraCheck(root, { only: K8S_STEPS, install: false });
      expect(failures(results).map((r) => r.step)).toContain("invariants");
      const found = problemsIn(results, file);
      expect(found.some((p) => p.message.includes("spec.selector.matchLabels"))).toBe(true);
    },
    T,
  );

  it.skipIf(noKubectl)(
    "fails naming the file when a probe points at a port the container does not expose",
    async () => {
      const file = "infra/k8s/base/character/deployment.yaml";
      const root = copyWith(file, after("readinessProbe:", "port: 50051", "port: 50052"));
      const results = await runInfraCheck(root, { only: K8S_STEPS, install: false });
      const found = problemsIn(results, file);
      expect(found.some((p) => p.message.includes("readinessProbe port 50052"))).toBe(true);
    },
    T,
  );

  it(
    "fails naming the file when an alert expression does not parse",
    async () => {
      const file = "infra/monitoring/rules/eco2-pipeline.yaml";
      const root = copyWith(file, (t) =>
        t.replace(
          "max(eco2_scan_oldest_in_progress_age_seconds) > 300",
          "max(eco2_scan_oldest_in_progress_age_seconds > 300",
        ),
      );
      const results = await runInfraCheck(root, { only: ["monitoring"], install: false });
      expect(failures(results).map((r) => r.step)).toEqual(["monitoring"]);
      expect(
        problemsIn(results, file).some((p) =>
          p.message.startsWith("Eco2ScanJobsStuck: syntax error"),
        ),
      ).toBe(true);
    },
    T,
  );

  it(
    "fails naming the file when an alert uses a metric nothing exports",
    async () => {
      const file = "infra/monitoring/rules/eco2-services.yaml";
      const root = copyWith(file, (t) => t.replace("eco2_dependency_up)", "eco2_dependencies_up)"));
      const results = await runInfraCheck(root, { only: ["monitoring"], install: false });
      expect(problemsIn(results, file).map((p) => p.message)).toContain(
        'Eco2DependencyDown: unknown metric "eco2_dependencies_up"',
      );
    },
    T,
  );

  it.skipIf(!which("promtool"))(
    "promtool catches a broken alert expression too",
    async () => {
      const file = "infra/monitoring/rules/eco2-pipeline.yaml";
      const root = copyWith(file, (t) =>
        t.replace(
          "max(eco2_scan_oldest_in_progress_age_seconds) > 300",
          "max(eco2_scan_oldest_in_progress_age_seconds > 300",
        ),
      );
      const results = await runInfraCheck(root, { only: ["promtool"], install: false });
      expect(results[0]?.status).toBe("fail");
      expect(
        problemsIn(results, file).some((p) => p.message.includes("promtool check rules failed")),
      ).toBe(true);
    },
    T,
  );

  it.skipIf(noKubectl)(
    "fails when a ServiceMonitor scrapes a port its Service does not have",
    async () => {
      const file = "infra/k8s/base/info/servicemonitor.yaml";
      const root = copyWith(file, (t) => t.replace("port: metrics", "port: prometheus"));
      const results = await runInfraCheck(root, { only: ["invariants"], install: false });
      expect(
        problemsIn(results, file).some((p) => p.message.includes('endpoint port "prometheus"')),
      ).toBe(true);
    },
    T,
  );

  it.skipIf(noKubectl)(
    "fails when a pod selects a tainted node without tolerating it",
    async () => {
      const file = "infra/k8s/base/ai/deployment.yaml";
      const root = copyWith(
        file,
        after("tolerations:", "value: worker-ai", "value: worker-storage"),
      );
      const results = await runInfraCheck(root, { only: ["invariants"], install: false });
      const messages = results.flatMap((r) => r.problems).map((p) => `${p.file}: ${p.message}`);
      expect(
        messages.some(
          (m) =>
            m.startsWith(file) && m.includes("no toleration for the worker-ai:NoSchedule taint"),
        ),
      ).toBe(true);
    },
    T,
  );

  it(
    "fails naming the file when generated YAML is edited by hand",
    async () => {
      const file = "infra/k8s/base/my/pdb.yaml";
      const root = copyWith(file, (t) => t.replace("maxUnavailable: 1", "maxUnavailable: 2"));
      const results = await runInfraCheck(root, { only: ["generated"], install: false });
      expect(problemsIn(results, file).map((p) => p.message)).toEqual([
        "differs from what infra/k8s/generate.ts generates (edit the generator or catalog, then re-run it)",
      ]);
    },
    T,
  );

  it(
    "fails naming variables.tf when the node layout changes an instance type",
    async () => {
      const file = "infra/terraform/variables.tf";
      const root = copyWith(file, (t) =>
        t.replace(
          '"api-chat"         = { instance_type = "t3.small"',
          '"api-chat"         = { instance_type = "t3.nano"',
        ),
      );
      const results = await runInfraCheck(root, { only: ["terraform-structure"], install: false });
      expect(problemsIn(results, file).map((p) => p.message)).toContain(
        "node api-chat should be t3.small, is t3.nano",
      );
    },
    T,
  );

  it.skipIf(noTerraformTest)(
    "terraform test fails naming the test file when a data port is opened to the world",
    async () => {
      const root = copyWith("infra/terraform/security.tf", (t) =>
        t.replace(
          "    alb_http     = {",
          '    pg_world     = { sg = "cluster", protocol = "tcp", from = 5432, to = 5432, cidr = "0.0.0.0/0", source = null }\n    alb_http     = {',
        ),
      );
      const results = await runInfraCheck(root, { only: ["terraform-validate"], install: false });
      const found = problemsIn(results, "infra/terraform/tests/plan.tftest.hcl");
      expect(found.some((p) => p.message.includes("opens a data port to 0.0.0.0/0"))).toBe(true);
    },
    60_000,
  );

  it(
    "reports a step as SKIPPED, not passed, when its tool cannot be had",
    async () => {
      const path = process.env.PATH;
      process.env.PATH = "/nonexistent";
      try {
        const results = await runInfraCheck(copyWith(), {
          only: ["promtool", "yamllint"],
          install: false,
        });
        expect(results.map((r) => r.status)).toEqual(["skipped", "skipped"]);
        expect(results[0]?.notes[0]).toStartWith("SKIPPED: promtool is not on PATH");
      } finally {
        process.env.PATH = path;
      }
    },
    T,
  );
});

// The five ways the cluster failed to come up on AWS, each put back into a scratch copy.
describe("infra check catches the five failures of a first real rebuild", () => {
  itCatches("1. a kubelet without --provider-id (the load balancer controller rejects the node)", {
    skip: noJinja,
    file: "infra/ansible/roles/kubeadm_join/templates/join.yaml.j2",
    edit: (t) => t.replace(/ {4}- name: provider-id\n {6}value: .*\n/, ""),
    step: "addons",
    finds: ["JoinConfiguration for api-auth: kubelet provider-id is undefined"],
  });

  itCatches(
    "2a. kube-prometheus-stack's admission webhook Job without tolerations for tainted nodes",
    {
      skip: noJinja,
      file: "infra/ansible/roles/monitoring/defaults/main.yml",
      edit: after(
        "admissionWebhooks:",
        '        tolerations: "{{ monitoring_placement.tolerations }}"\n',
        "",
      ),
      step: "addons",
      finds: ["kube-prometheus-stack prometheusOperator.admissionWebhooks.patch: no tolerations"],
    },
  );

  it.skipIf(noJinja)(
    "2b. Prometheus asking for gp3 before anything applies the StorageClass",
    async () => {
      const root = copyWith("infra/ansible/site.yml", (t) =>
        t.replace("    - role: storage_class\n", ""),
      );
      const found = await problemsOf(
        root,
        "addons",
        "infra/ansible/roles/monitoring/defaults/main.yml",
      );
      expect(some(found, "asks for StorageClass gp3, which no role before monitoring")).toBe(true);
    },
    T,
  );

  it.skipIf(noJinja || noKubectl)(
    "3. HPAs with no metrics-server",
    async () => {
      const root = copyWith("infra/ansible/site.yml", (t) =>
        t.replace("    - role: metrics_server\n", ""),
      );
      const found = await problemsOf(root, "addons", "infra/ansible/site.yml");
      expect(some(found, "HorizontalPodAutoscalers but no role installs metrics-server")).toBe(
        true,
      );
    },
    T,
  );

  itCatches("4a. a bucket name hard-coded in the ConfigMap instead of Terraform's output", {
    skip: noKubectl,
    file: "infra/k8s/base/platform/configmap.yaml",
    edit: (t) => t.replace("  LOG_LEVEL: info\n", "  LOG_LEVEL: info\n  S3_BUCKET: eco2-images\n"),
    step: "deploy-config",
    finds: ['hard-codes S3_BUCKET="eco2-images", which Terraform decides'],
  });

  itCatches("4b. the ApplicationSet forgetting to carry a Terraform output", {
    skip: noKubectl,
    file: "infra/argocd/prod/applicationset.yaml",
    edit: (t) => t.replace(/"value":"TF_CDN_BASE_URL"/, '"value":"https://images.example"'),
    step: "deploy-config",
    finds: ["no patch sets ConfigMap eco2-config /data/CDN_BASE_URL to TF_CDN_BASE_URL"],
  });

  itCatches("4c. the storage worker's NetworkPolicy blocking the instance metadata endpoint", {
    skip: noKubectl,
    file: "infra/k8s/base/storage/networkpolicy.yaml",
    edit: (t) => t.replace("cidr: 169.254.169.254/32", "cidr: 169.254.170.2/32"),
    step: "deploy-config",
    finds: ["no NetworkPolicy lets it reach 169.254.169.254/32:80"],
  });

  itCatches("5a. an image workflow that edits the generated overlays", {
    file: ".github/workflows/images.yml",
    edit: (t) =>
      t.replace('cd "infra/k8s/images/$ENVIRONMENT"', 'cd "infra/k8s/overlays/$ENVIRONMENT/$c"'),
    step: "delivery",
    finds: ["edits infra/k8s/overlays, which infra/k8s/generate.ts owns"],
  });

  it.skipIf(noKubectl)(
    "5b. prod pinning a tag the workflow never pushes, or a moving branch tag",
    async () => {
      const file = "infra/k8s/images/prod/kustomization.yaml";
      const never = await problemsOf(
        copyWith(file, (t) => t.replace("newTag: v0.1.0", "newTag: 0.1.0")),
        "deploy-config",
        file,
      );
      expect(
        some(never, "container gateway: tag 0.1.0 is never pushed by .github/workflows/images.yml"),
      ).toBe(true);
      const moving = await problemsOf(
        copyWith(file, (t) => t.replace("newTag: v0.1.0", "newTag: main")),
        "deploy-config",
        file,
      );
      expect(some(moving, "prod pins the moving tag main")).toBe(true);
    },
    T,
  );

  itCatches("5c. a component pod without the pull secret for the private packages", {
    skip: noKubectl,
    file: "infra/k8s/base/chat/deployment.yaml",
    edit: (t) => t.replace(/ {6}imagePullSecrets:\n {8}- name: eco2-registry\n/, ""),
    step: "deploy-config",
    finds: ["container chat: no imagePullSecrets eco2-registry"],
  });
});

// The mutations a review found that infra:check let through, plus the new checks.
describe("infra check catches the mutations it used to miss", () => {
  it.skipIf(noKubectl)(
    "an image-name typo in the generator (regenerated, so the generated check cannot see it)",
    async () => {
      const root = copyWith("infra/k8s/generate/workloads.ts", (t) =>
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the generator's source text
        t.replace("`${IMAGE_REGISTRY}/eco2-${c.name}`", "`${IMAGE_REGISTRY}/eco-${c.name}`"),
      );
      symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
      expect(run(process.execPath, [join(root, "infra/k8s/generate.ts")]).code).toBe(0);
      const file = "infra/k8s/base/scan/deployment.yaml";
      const found = await problemsOf(root, "deploy-config", file);
      expect(
        some(
          found,
          "image ghcr.io/eco2-team/eco-scan is not what .github/workflows/images.yml pushes for scan",
        ),
      ).toBe(true);
    },
    T,
  );

  itCatches("a :latest image", {
    skip: noKubectl,
    file: "infra/k8s/base/redis/statefulset.yaml",
    edit: (t) => t.replace("image: redis:7.0.15", "image: redis:latest"),
    step: "deploy-config",
    finds: ["image redis:latest is not pinned"],
  });

  itCatches("a PromQL label-value typo", {
    skip: noKubectl,
    file: "infra/monitoring/rules/eco2-pipeline.yaml",
    edit: (t) => t.replace('outcome="failed"', 'outcome="fialed"'),
    step: "monitoring",
    finds: ['eco2_bus_published_total{outcome="fialed"}: "fialed" is not a outcome value'],
  });

  itCatches("a PromQL namespace no manifest uses", {
    skip: noKubectl,
    file: "infra/monitoring/rules/eco2-services.yaml",
    edit: (t) => t.replace('namespace="eco2-workers"', 'namespace="eco2-worker"'),
    step: "monitoring",
    finds: ['"eco2-worker" is not a namespace value'],
  });

  itCatches("an undefined Jinja variable", {
    skip: noJinja,
    file: "infra/ansible/roles/calico/templates/installation.yaml.j2",
    edit: (t) => t.replace("{{ kubernetes_pod_cidr }}", "{{ kubernetes_pods_cidr }}"),
    step: "addons",
    finds: ["does not render for control-plane: 'kubernetes_pods_cidr' is undefined"],
  });

  it(
    "a pod CIDR overlapping the VPC",
    async () => {
      const file = "infra/ansible/group_vars/all.yml";
      const root = copyWith(file, (t) =>
        t.replace("kubernetes_pod_cidr: 192.168.0.0/16", "kubernetes_pod_cidr: 10.40.128.0/17"),
      );
      const found = await problemsOf(root, "network", file);
      expect(found).toContain(
        "pod CIDR (kubernetes_pod_cidr) 10.40.128.0/17 overlaps the VPC CIDR (vpc_cidr) 10.40.0.0/16",
      );
    },
    T,
  );

  it(
    "a deleted node-to-node security-group rule",
    async () => {
      const file = "infra/terraform/security.tf";
      const root = copyWith(file, (t) => t.replace(/ +cluster_self += \{.*\}\n/, ""));
      const found = await problemsOf(root, "network", file);
      for (const text of [
        "kubelet: control_plane → workers tcp/10250",
        "API server: infra → control_plane tcp/6443",
        "Calico IP-in-IP: api → infra 4",
        "etcd: control_plane → control_plane tcp/2379",
        "node to node",
      ])
        expect(some(found, text)).toBe(true);
    },
    T,
  );

  itCatches("an ALB that can no longer reach the gateway NodePort", {
    file: "infra/terraform/security.tf",
    edit: (t) => t.replace(/ +api_from_alb += \{.*\}\n/, ""),
    step: "network",
    finds: ["ALB to gateway NodePort tcp/30800: no ingress rule on the api nodes"],
  });

  itCatches("Secrets no longer encrypted at rest", {
    skip: noJinja,
    file: "infra/ansible/roles/kubeadm_init/templates/kubeadm.yaml.j2",
    edit: (t) => t.replace("- name: encryption-provider-config", "- name: audit-policy-file"),
    step: "addons",
    finds: ["kube-apiserver has no encryption-provider-config"],
  });

  itCatches("Alertmanager routing to a receiver that does not exist", {
    skip: noJinja,
    file: "infra/ansible/roles/monitoring/defaults/main.yml",
    edit: (t) => t.replace("    receiver: eco2-oncall", "    receiver: eco2-on-call"),
    step: "addons",
    finds: ['route receiver "eco2-on-call" is not a receiver'],
  });

  it.skipIf(noJinja)(
    "no scheduled etcd snapshot",
    async () => {
      const root = copyWith("infra/ansible/site.yml", (t) =>
        t.replace("    - role: etcd_backup\n", ""),
      );
      const found = await problemsOf(root, "addons", "infra/ansible/site.yml");
      expect(some(found, "no role on the control plane snapshots etcd")).toBe(true);
    },
    T,
  );
});
