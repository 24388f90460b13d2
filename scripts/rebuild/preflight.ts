// Phase 1: everything a rebuild needs before it touches AWS, reported all at once so the
// operator fixes the list in one go instead of one failure per run.
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import type { Config } from "./config.ts";
import type { Shell } from "./exec.ts";
import { missingSecrets } from "./secrets.ts";

const TOOLS: { cmd: string; args: string[]; min?: [number, number] }[] = [
  { cmd: "terraform", args: ["version"], min: [1, 7] },
  { cmd: "ansible-playbook", args: ["--version"], min: [2, 14] },
  { cmd: "kubectl", args: ["version", "--client"], min: [1, 30] },
  { cmd: "ssh", args: ["-V"] },
];

function versionOf(text: string): [number, number] | null {
  const m = text.match(/(\d+)\.(\d+)(?:\.\d+)?/);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export async function preflightProblems(cfg: Config, shell: Shell): Promise<string[]> {
  const problems: string[] = [];

  for (const t of TOOLS) {
    const r = await shell.run(t.cmd, t.args, { allowFailure: true });
    if (r.code !== 0) {
      problems.push(
        `${t.cmd} is missing or broken (\`${t.cmd} ${t.args.join(" ")}\` exited ${r.code})`,
      );
      continue;
    }
    const first = `${r.stdout}\n${r.stderr}`.trim().split("\n")[0] ?? "";
    const v = versionOf(first);
    shell.log(`# ${t.cmd}: ${first}`);
    if (t.min && v && (v[0] < t.min[0] || (v[0] === t.min[0] && v[1] < t.min[1]))) {
      problems.push(`${t.cmd} ${v.join(".")} is too old; need ${t.min.join(".")} or newer`);
    }
  }

  if (
    !process.env.AWS_PROFILE &&
    !(process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY)
  ) {
    problems.push(
      "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    );
  }

  if (!existsSync(cfg.sshKey)) {
    problems.push(`SSH private key ${cfg.sshKey} not found (set ECO2_SSH_KEY)`);
  } else {
    try {
      accessSync(cfg.sshKey, constants.R_OK);
      if ((statSync(cfg.sshKey).mode & 0o077) !== 0)
        problems.push(`SSH key ${cfg.sshKey} is readable by others; chmod 600 it`);
    } catch {
      problems.push(`SSH key ${cfg.sshKey} is not readable`);
    }
  }

  if (!existsSync(cfg.tfvars)) {
    problems.push(
      `Terraform variables ${cfg.tfvars} not found (copy infra/terraform/terraform.tfvars.example; or set ECO2_TFVARS)`,
    );
  } else {
    const text = readFileSync(cfg.tfvars, "utf8");
    for (const v of ["domain_name", "ssh_allowed_cidrs", "ssh_public_key"]) {
      if (!new RegExp(`^\\s*${v}\\s*=`, "m").test(text))
        problems.push(`${cfg.tfvars} does not set ${v}`);
    }
  }
  if (!existsSync(cfg.backendConfig)) {
    problems.push(
      `Terraform backend config ${cfg.backendConfig} not found (copy infra/terraform/backend.hcl.example; or set ECO2_BACKEND_CONFIG)`,
    );
  }

  if (!existsSync(cfg.secretsFile)) {
    problems.push(
      `secrets file ${cfg.secretsFile} not found (set ECO2_SECRETS_FILE; keys listed in infra/README.md)`,
    );
  } else {
    const missing = missingSecrets(readFileSync(cfg.secretsFile, "utf8"));
    if (missing.length > 0)
      problems.push(`secrets file ${cfg.secretsFile} lacks ${missing.join(", ")}`);
  }
  return problems;
}
