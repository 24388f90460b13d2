// Where the rebuild reads its inputs and writes its state. Everything is overridable through
// the environment so tests (and operators with unusual layouts) never touch the defaults.
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export interface Config {
  root: string;
  env: "dev" | "prod";
  /** State file, logs, rendered inventory and kubeconfig live here (git-ignored). */
  stateDir: string;
  terraformDir: string;
  ansibleDir: string;
  tfvars: string;
  backendConfig: string;
  sshKey: string;
  sshUser: string;
  /** KEY=value file with the runtime secrets (see infra/README.md). */
  secretsFile: string;
  sshTimeoutS: number;
  sshIntervalS: number;
  appsTimeoutS: number;
  appsIntervalS: number;
  smokeTimeoutS: number;
  /** AWS region for the aws CLI (--destroy's volume clean-up); Terraform's `region`. */
  region: string;
}

const num = (v: string | undefined, d: number) =>
  v !== undefined && v !== "" && !Number.isNaN(Number(v)) ? Number(v) : d;

export function loadConfig(envName: string, e: NodeJS.ProcessEnv = process.env): Config {
  const root = resolve(e.ECO2_ROOT ?? join(import.meta.dirname, "..", ".."));
  const stateDir = resolve(e.ECO2_REBUILD_DIR ?? join(root, "infra", ".rebuild", envName));
  const terraformDir = join(root, "infra", "terraform");
  return {
    root,
    env: envName === "dev" ? "dev" : "prod",
    stateDir,
    terraformDir,
    ansibleDir: join(root, "infra", "ansible"),
    tfvars: resolve(e.ECO2_TFVARS ?? join(terraformDir, `${envName}.tfvars`)),
    backendConfig: resolve(e.ECO2_BACKEND_CONFIG ?? join(terraformDir, `backend-${envName}.hcl`)),
    sshKey: resolve(e.ECO2_SSH_KEY ?? join(homedir(), ".ssh", "id_ed25519")),
    sshUser: e.ECO2_SSH_USER ?? "ubuntu",
    secretsFile: resolve(e.ECO2_SECRETS_FILE ?? join(stateDir, "secrets.env")),
    sshTimeoutS: num(e.ECO2_SSH_TIMEOUT_S, 600),
    sshIntervalS: num(e.ECO2_SSH_INTERVAL_S, 5),
    appsTimeoutS: num(e.ECO2_APPS_TIMEOUT_S, 1800),
    appsIntervalS: num(e.ECO2_APPS_INTERVAL_S, 15),
    smokeTimeoutS: num(e.ECO2_SMOKE_TIMEOUT_S, 300),
    region: e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? "ap-northeast-2",
  };
}
