// The Ansible checks CI runs: playbook syntax (against the example inventory, which has the
// shape Terraform renders), ansible-lint (offline, production profile) and yamllint.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { run, tail } from "./exec.ts";
import { type Problem, problem } from "./types.ts";

const DIR = "infra/ansible";

/** Names the first file a tool complains about, falling back to the playbook directory. */
function blame(output: string, fallback: string): string {
  const m = output.match(/([\w./-]+\.ya?ml):\d+/);
  return m?.[1] ? join(DIR, m[1].replace(/^\.\//, "")) : fallback;
}

export function ansibleSyntax(root: string, ansiblePlaybook: string): Problem[] {
  const r = run(ansiblePlaybook, ["--syntax-check", "-i", "inventory/example.yml", "site.yml"], {
    cwd: join(root, DIR),
    env: { ANSIBLE_CONFIG: join(root, DIR, "ansible.cfg"), ANSIBLE_NOCOLOR: "1" },
  });
  return r.code === 0
    ? []
    : [
        problem(
          blame(r.stderr + r.stdout, `${DIR}/site.yml`),
          `syntax check failed:\n${tail(r.stderr + r.stdout)}`,
        ),
      ];
}

export function ansibleLint(root: string, ansibleLintBin: string): Problem[] {
  const r = run(ansibleLintBin, ["--offline", "--nocolor", "-q"], {
    cwd: join(root, DIR),
    env: { ANSIBLE_CONFIG: join(root, DIR, "ansible.cfg"), NO_COLOR: "1" },
  });
  return r.code === 0
    ? []
    : [
        problem(
          blame(r.stdout + r.stderr, DIR),
          `ansible-lint failed:\n${tail(r.stdout + r.stderr)}`,
        ),
      ];
}

/** yamllint on the playbooks (their .yamllint), and on the workflows and atlantis.yaml. */
export function yamllint(root: string, yamllintBin: string): Problem[] {
  const problems: Problem[] = [];
  const r = run(yamllintBin, ["-s", "-f", "parsable", "."], { cwd: join(root, DIR) });
  if (r.code !== 0)
    problems.push(problem(blame(r.stdout, DIR), `yamllint failed:\n${tail(r.stdout + r.stderr)}`));
  // GitHub's `on:` key is a YAML 1.1 truthy; allow it there.
  const delivery =
    "{extends: default, rules: {line-length: {max: 140}, document-start: disable, truthy: {allowed-values: ['true', 'false', 'on']}}}";
  const targets = [".github", "atlantis.yaml"].filter((p) => existsSync(join(root, p)));
  if (targets.length > 0) {
    const d = run(yamllintBin, ["-s", "-f", "parsable", "-d", delivery, ...targets], { cwd: root });
    const file = d.stdout.match(/^([^:]+):\d+/m)?.[1] ?? ".github";
    if (d.code !== 0)
      problems.push(problem(file, `yamllint failed:\n${tail(d.stdout + d.stderr)}`));
  }
  return problems;
}
