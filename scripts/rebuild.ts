// npm run rebuild — stands up (or rebuilds) an Eco² environment end to end:
// preflight → terraform → inventory → ssh → ansible → kubeconfig → argocd → apps → smoke.
// `--help` documents every input; infra/README.md explains the phases.
import { parseArgs } from "node:util";
import { loadConfig } from "./rebuild/config.ts";
import { DESTROY_EXIT, runDestroy } from "./rebuild/destroy.ts";
import { PHASE_IDS, PHASES } from "./rebuild/phases.ts";
import { EXIT, runRebuild } from "./rebuild/runner.ts";
import {
  APP_KEYS,
  DATA_KEYS,
  OPS_KEYS,
  OPTIONAL_APP_KEYS,
  REGISTRY_KEYS,
} from "./rebuild/secrets.ts";

const USAGE = `usage: npm run rebuild -- [--env prod|dev] [--dry-run] [--from <phase> | --only <phase>] [--fresh] [--yes]
       npm run rebuild -- --destroy [--env prod|dev] [--delete-volumes] [--dry-run]
phases: ${PHASE_IDS.join(", ")}`;

const HELP = `${USAGE}

Builds the Eco² cluster on AWS: Terraform, then Ansible (kubeadm), then ArgoCD, then waits for
every Application and knocks on the public endpoint. Resumes after the last completed phase, and
inside the argocd phase after the steps a failed run finished.

Options
  --env prod|dev      environment (default prod)
  --dry-run           print every command and how Terraform outputs reach the cluster; run nothing
  --from <phase>      start at this phase (later phases run too)
  --only <phase>      run exactly one phase
  --fresh             ignore the state file and start at preflight
  --yes               apply the Terraform plan without asking (dev only: prod always asks you
                      to type "apply prod" after showing the plan)
  --destroy           terraform destroy after you type "destroy <env>"; empties the versioned
                      images bucket, then lists the data volumes Retain claims left behind
  --delete-volumes    with --destroy: delete those volumes too
  --help              this text

Phases (exit code when it fails)
${PHASES.map((p) => `  ${p.id.padEnd(11)} ${String(p.exitCode).padEnd(3)} ${p.title}`).join("\n")}

Inputs
  AWS credentials     AWS_PROFILE, or AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY
  tfvars              infra/terraform/<env>.tfvars (ECO2_TFVARS); needs domain_name,
                      ssh_allowed_cidrs, ssh_public_key
  backend config      infra/terraform/backend-<env>.hcl (ECO2_BACKEND_CONFIG)
  SSH key             ~/.ssh/id_ed25519 (ECO2_SSH_KEY), user ubuntu (ECO2_SSH_USER)
  secrets file        <state dir>/secrets.env (ECO2_SECRETS_FILE), KEY=value lines:
                        required: ${[...APP_KEYS, ...DATA_KEYS, ...OPS_KEYS].join(", ")}
                        optional: ${[...OPTIONAL_APP_KEYS, ...REGISTRY_KEYS].join(", ")}
                        (ALERT_WEBHOOK_URL: Slack incoming webhook or Alertmanager webhook;
                         REGISTRY_*: GHCR user and read:packages token for private images)

Environment
  ECO2_REBUILD_DIR    state directory (default infra/.rebuild/<env>)
  ECO2_SSH_TIMEOUT_S  SSH wait, default 600      ECO2_APPS_TIMEOUT_S  Applications, default 1800
  ECO2_SMOKE_TIMEOUT_S smoke test, default 300   AWS_REGION  for --destroy's aws CLI calls

State directory
  state.json (completed phases, hosts, Terraform outputs), logs/NN-<phase>.log (every command
  and its output, also streamed to the terminal), hosts.yml (inventory), kubeconfig (0600),
  tfplan, ansible-extra-vars.json (0600). Secret values never reach a command line or a log.

Exit codes
  0 done   2 usage   3 not confirmed (apply or destroy)   10-18 the failing phase (above)
  ${DESTROY_EXIT} destroy failed`;

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        env: { type: "string", default: "prod" },
        "dry-run": { type: "boolean", default: false },
        from: { type: "string" },
        only: { type: "string" },
        fresh: { type: "boolean", default: false },
        yes: { type: "boolean", default: false },
        destroy: { type: "boolean", default: false },
        "delete-volumes": { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const env = String(values.env);
  if (env !== "prod" && env !== "dev") {
    console.error(`--env must be prod or dev, not ${env}\n${USAGE}`);
    return EXIT.usage;
  }
  for (const flag of ["from", "only"] as const) {
    const v = values[flag];
    if (typeof v === "string" && !PHASE_IDS.includes(v)) {
      console.error(`--${flag} ${v}: unknown phase\n${USAGE}`);
      return EXIT.usage;
    }
  }
  if (values.from && values.only) {
    console.error(`--from and --only cannot be combined\n${USAGE}`);
    return EXIT.usage;
  }
  const cfg = loadConfig(env);
  const out = (line: string) => console.log(line);
  if (values.destroy)
    return runDestroy(
      cfg,
      { dryRun: values["dry-run"] === true, deleteVolumes: values["delete-volumes"] === true },
      out,
    );
  return runRebuild(
    cfg,
    {
      from: values.from as string | undefined,
      only: values.only as string | undefined,
      fresh: values.fresh === true,
      dryRun: values["dry-run"] === true,
      yes: values.yes === true,
    },
    out,
  );
}

process.exitCode = await main(process.argv.slice(2));
