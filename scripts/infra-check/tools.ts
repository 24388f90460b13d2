// Finds the external tools the check uses, installing the Debian ones when they are missing
// and we are allowed to (root with apt-get, as on CI). A tool that cannot be had makes its
// step SKIPPED with the reason, never a silent pass.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { run, which } from "./exec.ts";

export interface Tool {
  name: string;
  path: string | null;
  /** Why it is missing, when path is null. */
  reason?: string;
}

const APT_PACKAGES: Record<string, { packages: string[]; flags: string[] }> = {
  "ansible-playbook": { packages: ["ansible"], flags: [] },
  "ansible-lint": { packages: ["ansible-lint"], flags: [] },
  yamllint: { packages: ["yamllint"], flags: [] },
  promtool: { packages: ["prometheus"], flags: ["--no-install-recommends"] },
};

let aptUpdated = false;

function canInstall(): string | null {
  if (!which("apt-get")) return "apt-get is not available";
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "not running as root";
  return null;
}

export function ensureTool(name: string, install: boolean, log: (l: string) => void): Tool {
  const found = which(name);
  if (found) return { name, path: found };
  const apt = APT_PACKAGES[name];
  if (!apt) return { name, path: null, reason: `${name} is not on PATH` };
  if (!install)
    return { name, path: null, reason: `${name} is not on PATH (installation disabled)` };
  const blocker = canInstall();
  if (blocker)
    return {
      name,
      path: null,
      reason: `${name} is not on PATH and cannot be installed: ${blocker}`,
    };
  if (!aptUpdated) {
    log("apt-get update (installing missing infra tools)");
    run("apt-get", ["update"], { timeoutMs: 600_000 });
    aptUpdated = true;
  }
  log(`apt-get install ${apt.packages.join(" ")}`);
  const r = run("apt-get", ["install", "-y", ...apt.flags, ...apt.packages], {
    env: { DEBIAN_FRONTEND: "noninteractive" },
    timeoutMs: 900_000,
  });
  const after = which(name);
  if (after) return { name, path: after };
  return {
    name,
    path: null,
    reason: `apt-get install ${apt.packages.join(" ")} failed: ${r.stderr.trim().split("\n").pop()}`,
  };
}

/** terraform is not packaged in Debian or npm: use it where the machine has it. */
export function findTerraform(): Tool {
  const p = which("terraform", ["/usr/local/bin", "/usr/bin"]);
  return p
    ? { name: "terraform", path: p }
    : { name: "terraform", path: null, reason: "terraform is not installed" };
}

/** A filesystem mirror of hashicorp/aws, where the machine carries one. */
export function findProviderMirror(): string | null {
  const candidates = [
    process.env.ECO2_TF_PLUGIN_DIR,
    "/opt/tf-plugins",
    "/usr/share/tf-plugins",
    "/tf-plugins",
  ];
  for (const dir of candidates) {
    if (!dir) continue;
    const aws = join(dir, "registry.terraform.io", "hashicorp", "aws");
    if (existsSync(aws) && readdirSync(aws).length > 0) return dir;
  }
  return null;
}
