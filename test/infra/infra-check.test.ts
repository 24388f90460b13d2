// The infra check against scratch copies of infra/: the real tree passes, and breaking a
// selector, a probe port or an alert expression (among others) fails with the file named.
import { afterAll, describe, expect, it } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { which } from "../../scripts/infra-check/exec.ts";
import { runInfraCheck } from "../../scripts/infra-check/index.ts";
import { findProviderMirror, findTerraform } from "../../scripts/infra-check/tools.ts";
import type { StepResult } from "../../scripts/infra-check/types.ts";

const ROOT = join(import.meta.dir, "..", "..");
const K8S_STEPS = ["kustomize", "schemas", "invariants"];
// Rendering needs kubectl (kustomize built in); terraform test needs terraform and a provider mirror.
const noKubectl = !which("kubectl");
const noTerraformTest = !findTerraform().path || !findProviderMirror();
const scratch: string[] = [];

afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

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

/** Replace the first occurrence of `find` that comes after `anchor`. */
const after = (anchor: string, find: string, replace: string) => (text: string) => {
  const at = text.indexOf(anchor);
  const i = text.indexOf(find, at);
  if (at < 0 || i < 0) return text;
  return text.slice(0, i) + replace + text.slice(i + find.length);
};

const failures = (results: StepResult[]) => results.filter((r) => r.status === "fail");
const problemsIn = (results: StepResult[], file: string) =>
  results.flatMap((r) => r.problems).filter((p) => p.file === file);

describe("infra check", () => {
  it.skipIf(noKubectl)(
    "passes on the committed infra/ (generated files, kubernetes, monitoring, delivery, terraform structure)",
    async () => {
      const results = await runInfraCheck(copyWith(), {
        only: ["generated", ...K8S_STEPS, "monitoring", "delivery", "terraform-structure"],
        install: false,
      });
      expect(results.map((r) => `${r.step}:${r.status}`)).toEqual([
        "generated:pass",
        "kustomize:pass",
        "schemas:pass",
        "invariants:pass",
        "monitoring:pass",
        "delivery:pass",
        "terraform-structure:pass",
      ]);
    },
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
  );

  it("fails naming the file when an alert expression does not parse", async () => {
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
  });

  it("fails naming the file when an alert uses a metric nothing exports", async () => {
    const file = "infra/monitoring/rules/eco2-services.yaml";
    const root = copyWith(file, (t) => t.replace("eco2_dependency_up)", "eco2_dependencies_up)"));
    const results = await runInfraCheck(root, { only: ["monitoring"], install: false });
    expect(problemsIn(results, file).map((p) => p.message)).toContain(
      'Eco2DependencyDown: unknown metric "eco2_dependencies_up"',
    );
  });

  it.skipIf(!which("promtool"))("promtool catches a broken alert expression too", async () => {
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
  });

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
  );

  it("fails naming the file when generated YAML is edited by hand", async () => {
    const file = "infra/k8s/base/my/pdb.yaml";
    const root = copyWith(file, (t) => t.replace("maxUnavailable: 1", "maxUnavailable: 2"));
    const results = await runInfraCheck(root, { only: ["generated"], install: false });
    expect(problemsIn(results, file).map((p) => p.message)).toEqual([
      "differs from what infra/k8s/generate.ts generates (edit the generator or catalog, then re-run it)",
    ]);
  });

  it("fails naming variables.tf when the node layout changes an instance type", async () => {
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
  });

  it.skipIf(noTerraformTest)(
    "terraform test fails naming the test file when a data port is opened to the world",
    async () => {
      const root = copyWith("infra/terraform/security.tf", (t) =>
        t.replace(
          "      alb_http     = {",
          '      pg_world     = { sg = "cluster", protocol = "tcp", from = 5432, to = 5432, cidr = "0.0.0.0/0", source = null }\n      alb_http     = {',
        ),
      );
      const results = await runInfraCheck(root, { only: ["terraform-validate"], install: false });
      const found = problemsIn(results, "infra/terraform/tests/plan.tftest.hcl");
      expect(found.some((p) => p.message.includes("opens a data port to 0.0.0.0/0"))).toBe(true);
    },
    60_000,
  );

  it("reports a step as SKIPPED, not passed, when its tool cannot be had", async () => {
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
  });
});
