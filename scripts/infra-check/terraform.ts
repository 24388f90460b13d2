// Terraform checks. Where terraform and a provider mirror exist: fmt, init (offline, from the
// mirror), validate and `terraform test` (mock_provider "aws"). Everywhere: structural checks
// of the HCL with @cdktf/hcl2json, so a machine without terraform still checks something real.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse } from "@cdktf/hcl2json";
import { run, tail } from "./exec.ts";
import { walkFiles } from "./sources.ts";
import { type Problem, problem } from "./types.ts";

const DIR = "infra/terraform";

type Hcl = Record<string, unknown>;

export async function parseModule(
  root: string,
): Promise<{ files: Map<string, Hcl>; problems: Problem[] }> {
  const files = new Map<string, Hcl>();
  const problems: Problem[] = [];
  for (const file of walkFiles(join(root, DIR), /\.tf$/)) {
    if (file.includes("/.terraform/")) continue;
    const rel = relative(root, file);
    try {
      files.set(rel, (await parse(rel, readFileSync(file, "utf8"))) as Hcl);
    } catch (e) {
      problems.push(problem(rel, `HCL does not parse: ${(e as Error).message}`));
    }
  }
  return { files, problems };
}

/** The node layout (variable "nodes" default) and gateway_node_port, read from the HCL. */
export async function clusterLayout(root: string): Promise<{
  nodes: Record<string, { instance_type: string; group: string }>;
  gatewayNodePort?: number;
}> {
  const { files } = await parseModule(root);
  let nodes: Record<string, { instance_type: string; group: string }> = {};
  let gatewayNodePort: number | undefined;
  for (const hcl of files.values()) {
    const v = (hcl.variable as Record<string, { default?: unknown }[]> | undefined)?.nodes?.[0]
      ?.default;
    if (v && typeof v === "object") nodes = v as typeof nodes;
    for (const l of (hcl.locals as Record<string, unknown>[] | undefined) ?? []) {
      if (typeof l.gateway_node_port === "number") gatewayNodePort = l.gateway_node_port;
    }
  }
  return { nodes, gatewayNodePort };
}

const EXPECTED_TYPES: Record<string, string> = {
  "control-plane": "t3.large",
  "api-auth": "t3.micro",
  "api-my": "t3.micro",
  "api-scan": "t3.small",
  "api-character": "t3.micro",
  "api-location": "t3.micro",
  "api-info": "t3.micro",
  "api-chat": "t3.small",
  "worker-storage": "t3.small",
  "worker-ai": "t3.small",
  "infra-postgresql": "t3.small",
  "infra-rabbitmq": "t3.small",
  "infra-monitoring": "t3.small",
  "infra-redis": "t3.micro",
};

export async function terraformStructure(root: string): Promise<Problem[]> {
  const { files, problems } = await parseModule(root);
  const where = (key: string) =>
    [...files.entries()].find(([, h]) => key in h)?.[0] ?? `${DIR}/versions.tf`;

  const terraformBlocks = [...files.values()].flatMap(
    (h) => (h.terraform as Hcl[] | undefined) ?? [],
  );
  const providers = terraformBlocks.flatMap(
    (t) => (t.required_providers as Hcl[] | undefined) ?? [],
  );
  const names = providers.flatMap((p) => Object.keys(p));
  if (names.length !== 1 || names[0] !== "aws") {
    problems.push(
      problem(
        where("terraform"),
        `required_providers must be exactly aws, found ${JSON.stringify(names)}`,
      ),
    );
  }
  const aws = providers[0]?.aws as { source?: string; version?: string } | undefined;
  if (aws?.source !== "hashicorp/aws" || !/<=\s*5\.100\.0/.test(aws?.version ?? "")) {
    problems.push(
      problem(
        where("terraform"),
        `aws provider must be hashicorp/aws with "<= 5.100.0", got ${JSON.stringify(aws)}`,
      ),
    );
  }
  if (!terraformBlocks.some((t) => "s3" in ((t.backend as Hcl | undefined) ?? {}))) {
    problems.push(problem(where("terraform"), 'remote state: backend "s3" is missing'));
  }

  const { nodes } = await clusterLayout(root);
  const file = where("variable");
  for (const [role, type] of Object.entries(EXPECTED_TYPES)) {
    if (nodes[role]?.instance_type !== type) {
      problems.push(
        problem(
          file,
          `node ${role} should be ${type}, is ${nodes[role]?.instance_type ?? "missing"}`,
        ),
      );
    }
  }
  const extra = Object.keys(nodes).filter((r) => !(r in EXPECTED_TYPES));
  if (extra.length > 0) problems.push(problem(file, `unexpected nodes: ${extra.join(", ")}`));

  const outputs = [...files.values()].flatMap((h) =>
    Object.keys((h.output as Hcl | undefined) ?? {}),
  );
  for (const o of [
    "ansible_inventory",
    "inventory",
    "gateway_target_group_arn",
    "bastion_public_ip",
    "backups_bucket",
  ]) {
    if (!outputs.includes(o)) problems.push(problem(`${DIR}/outputs.tf`, `output ${o} is missing`));
  }
  // Ansible's etcd_backup role reads the bucket from the inventory Terraform renders.
  const inventory = JSON.stringify(
    [...files.values()].map((h) => (h.output as Hcl | undefined)?.ansible_inventory),
  );
  if (!inventory.includes("etcd_backup_bucket"))
    problems.push(
      problem(`${DIR}/outputs.tf`, "ansible_inventory does not pass etcd_backup_bucket to Ansible"),
    );
  return problems;
}

export function terraformFmt(root: string, terraform: string): Problem[] {
  const r = run(terraform, ["fmt", "-check", "-recursive", "-no-color", DIR], { cwd: root });
  if (r.code === 0) return [];
  const files = r.stdout.trim().split("\n").filter(Boolean);
  if (files.length === 0) return [problem(DIR, `terraform fmt failed:\n${tail(r.stderr)}`)];
  return files.map((f) =>
    problem(
      f.startsWith(DIR) ? f : join(DIR, f),
      "not formatted (run terraform fmt -recursive infra/terraform)",
    ),
  );
}

/** The file a terraform error points at: a failed assertion names the test file, a bad
 * configuration the .tf file ("on compute.tf line 12"). */
function blameTerraform(step: string, output: string): string {
  const at = output.match(/on ([\w./-]+\.(?:tf|tftest\.hcl)) line \d+/)?.[1];
  if (at) return join(DIR, at);
  return step === "test" ? `${DIR}/tests/plan.tftest.hcl` : DIR;
}

/** init from the mirror, then test (which validates), in a scratch copy so the repository stays clean. */
export function terraformValidateTest(
  root: string,
  terraform: string,
  mirror: string,
): { problems: Problem[]; notes: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "eco2-terraform-"));
  const env = { TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
  try {
    cpSync(join(root, DIR), dir, {
      recursive: true,
      filter: (src) => !src.includes("/.terraform"),
    });
    // No separate `terraform validate`: `terraform test` validates the configuration first, and
    // each extra command pays again for loading the aws provider's schema (seconds).
    const steps: [string, string[], number][] = [
      ["init", ["init", "-backend=false", `-plugin-dir=${mirror}`, "-no-color"], 180_000],
      ["test", ["test", "-no-color"], 300_000],
    ];
    const notes: string[] = [];
    for (const [name, args, timeoutMs] of steps) {
      const r = run(terraform, args, { cwd: dir, env, timeoutMs });
      if (r.code !== 0) {
        const output = r.stdout + r.stderr;
        return {
          problems: [
            problem(blameTerraform(name, output), `terraform ${name} failed:\n${tail(output, 40)}`),
          ],
          notes,
        };
      }
      if (name === "test") notes.push(r.stdout.trim().split("\n").pop() ?? "");
    }
    return { problems: [], notes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
