// The nine phases of a rebuild, in order. Each declares the commands it would run (printed by
// --dry-run) and does its work through the Shell, so every command lands in the phase log.
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyBindings, BOUND_OUTPUTS, bindingLines } from "./bindings.ts";
import type { Config } from "./config.ts";
import type { Shell } from "./exec.ts";
import { preflightProblems } from "./preflight.ts";
import { ansibleExtraVars, applicationSecrets } from "./secrets.ts";
import { sshArgs, waitForSsh } from "./ssh-wait.ts";
import type { Host, State } from "./state.ts";

export interface Ctx {
  cfg: Config;
  state: State;
  shell: Shell;
  save: () => void;
  /** Asks the operator to type `phrase`; true when they did. */
  confirm: (question: string, phrase: string) => Promise<boolean>;
  /** --yes: apply without asking (never for prod). */
  yes: boolean;
  /** Runs one named step of the current phase, unless a failed run already finished it. */
  step: (name: string, body: () => Promise<void>) => Promise<void>;
}

export class PhaseFailure extends Error {}

/** The operator declined (or could not be asked): nothing irreversible happened. */
export class Declined extends Error {}

export interface Phase {
  id: string;
  title: string;
  /** Process exit code when this phase fails (10 + position). */
  exitCode: number;
  plan: (cfg: Config) => string[];
  run: (ctx: Ctx) => Promise<void>;
}

const tf = (cfg: Config, ...args: string[]) => ["terraform", `-chdir=${cfg.terraformDir}`, ...args];
const inventoryFile = (cfg: Config) => join(cfg.stateDir, "hosts.yml");
const kubeconfigFile = (cfg: Config) => join(cfg.stateDir, "kubeconfig");
const planFile = (cfg: Config) => join(cfg.stateDir, "tfplan");
const extraVarsFile = (cfg: Config) => join(cfg.stateDir, "ansible-extra-vars.json");
const kubectl = (cfg: Config, ...args: string[]) => [
  "kubectl",
  `--kubeconfig=${kubeconfigFile(cfg)}`,
  ...args,
];

async function sh(ctx: Ctx, argv: string[], input?: string, allowFailure = false) {
  const [cmd, ...args] = argv;
  return ctx.shell.run(cmd!, args, { input, allowFailure, env: { TF_IN_AUTOMATION: "1" } });
}

const terraformSteps = (cfg: Config): string[][] => [
  tf(cfg, "init", "-input=false", "-reconfigure", `-backend-config=${cfg.backendConfig}`),
  tf(
    cfg,
    "plan",
    "-input=false",
    `-var-file=${cfg.tfvars}`,
    `-var=environment=${cfg.env}`,
    `-out=${planFile(cfg)}`,
  ),
  tf(cfg, "apply", "-input=false", planFile(cfg)),
];

/** Review before apply: always for prod, otherwise unless --yes. */
async function approvePlan(ctx: Ctx): Promise<void> {
  if (ctx.yes && ctx.cfg.env !== "prod") return;
  const phrase = `apply ${ctx.cfg.env}`;
  const why = ctx.yes ? " (--yes does not apply to prod)" : "";
  if (!(await ctx.confirm(`Review the plan above${why}. Type "${phrase}" to apply it:`, phrase)))
    throw new Declined(`terraform apply for ${ctx.cfg.env} was not confirmed; nothing was applied`);
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new PhaseFailure(`${what} is unknown: run the inventory phase first (--from inventory)`);
  return value;
}

/** The Applications the ApplicationSet generates: one per overlay directory of the environment. */
function expectedApps(cfg: Config): string[] {
  const dir = join(cfg.root, "infra", "k8s", "overlays", cfg.env);
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory())
    .map((n) => `${n}-${cfg.env}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const PHASES: Phase[] = [
  {
    id: "preflight",
    title: "Preflight: tools, credentials, SSH key, variables",
    exitCode: 10,
    plan: () => [
      "terraform version",
      "ansible-playbook --version",
      "kubectl version --client",
      "ssh -V",
      "check AWS credentials, SSH key, tfvars, backend config, secrets file",
    ],
    run: async (ctx) => {
      const problems = await preflightProblems(ctx.cfg, ctx.shell);
      if (problems.length > 0)
        throw new PhaseFailure(
          `preflight found ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`,
        );
    },
  },
  {
    id: "terraform",
    title: "Terraform: init, plan, apply",
    exitCode: 11,
    plan: (cfg) => {
      const [init, plan, apply] = terraformSteps(cfg).map((argv) => argv.join(" "));
      return [
        init!,
        plan!,
        `(asks you to type "apply ${cfg.env}"${cfg.env === "prod" ? ", always" : "; --yes skips it"})`,
        apply!,
      ];
    },
    run: async (ctx) => {
      mkdirSync(ctx.cfg.stateDir, { recursive: true });
      const [init, plan, apply] = terraformSteps(ctx.cfg);
      await sh(ctx, init!);
      await sh(ctx, plan!);
      await approvePlan(ctx);
      await sh(ctx, apply!);
    },
  },
  {
    id: "inventory",
    title: "Inventory from Terraform outputs",
    exitCode: 12,
    plan: (cfg) => [
      `${tf(cfg, "output", "-raw", "ansible_inventory").join(" ")} > ${inventoryFile(cfg)}`,
      tf(cfg, "output", "-json", "inventory").join(" "),
      tf(cfg, "output", "-raw", "bastion_public_ip").join(" "),
      ...BOUND_OUTPUTS.map((o) => tf(cfg, "output", "-raw", o).join(" ")),
    ],
    run: async (ctx) => {
      const out = async (...args: string[]) =>
        (await sh(ctx, tf(ctx.cfg, "output", ...args))).stdout.trim();
      writeFileSync(inventoryFile(ctx.cfg), `${await out("-raw", "ansible_inventory")}\n`);
      const groups = JSON.parse(await out("-json", "inventory")) as Record<
        string,
        Record<string, { ansible_host: string }>
      >;
      const hosts: Host[] = Object.entries(groups).flatMap(([group, members]) =>
        Object.entries(members).map(([name, h]) => ({ name, group, address: h.ansible_host })),
      );
      if (hosts.length === 0) throw new PhaseFailure("the Terraform inventory lists no hosts");
      ctx.state.hosts = hosts;
      ctx.state.bastion = await out("-raw", "bastion_public_ip");
      const outputs: Record<string, string> = {};
      for (const o of BOUND_OUTPUTS) outputs[o] = await out("-raw", o);
      ctx.state.outputs = outputs;
      ctx.state.apiUrl = outputs.api_url;
      ctx.save();
      for (const l of bindingLines(outputs)) ctx.shell.log(`# ${l}`);
      ctx.shell.log(`# ${hosts.length} hosts; bastion ${ctx.state.bastion}`);
    },
  },
  {
    id: "ssh",
    title: "Wait for SSH on every node",
    exitCode: 13,
    plan: (cfg) => [
      `ssh -i ${cfg.sshKey} [-J ${cfg.sshUser}@<bastion>] ${cfg.sshUser}@<each host> true  (parallel, up to ${cfg.sshTimeoutS}s)`,
    ],
    run: async (ctx) => {
      await waitForSsh(ctx.shell, need(ctx.state.hosts, "the host list"), {
        user: ctx.cfg.sshUser,
        key: ctx.cfg.sshKey,
        bastion: ctx.state.bastion,
        timeoutS: ctx.cfg.sshTimeoutS,
        intervalS: ctx.cfg.sshIntervalS,
      });
    },
  },
  {
    id: "ansible",
    title: "Ansible: configure the nodes and install the cluster",
    exitCode: 14,
    plan: (cfg) => [
      `${extraVarsFile(cfg)} (mode 0600) := ALERT_WEBHOOK_URL from ${cfg.secretsFile}, environment ${cfg.env}`,
      `(cd ${cfg.ansibleDir} && ansible-playbook -i ${inventoryFile(cfg)} --private-key ${cfg.sshKey} -e @${extraVarsFile(cfg)} site.yml)`,
    ],
    run: async (ctx) => {
      // Secret values reach Ansible through a private file, never its command line.
      writeFileSync(
        extraVarsFile(ctx.cfg),
        ansibleExtraVars(readFileSync(ctx.cfg.secretsFile, "utf8"), ctx.cfg.env),
        { mode: 0o600 },
      );
      await ctx.shell.run(
        "ansible-playbook",
        [
          "-i",
          inventoryFile(ctx.cfg),
          "--private-key",
          ctx.cfg.sshKey,
          "-e",
          `@${extraVarsFile(ctx.cfg)}`,
          "site.yml",
        ],
        {
          cwd: ctx.cfg.ansibleDir,
          env: {
            ANSIBLE_CONFIG: join(ctx.cfg.ansibleDir, "ansible.cfg"),
            ANSIBLE_FORCE_COLOR: "0",
          },
        },
      );
    },
  },
  {
    id: "kubeconfig",
    title: "Fetch the kubeconfig",
    exitCode: 15,
    plan: (cfg) => [
      `ssh ${cfg.sshUser}@<bastion> sudo cat /etc/kubernetes/admin.conf > ${kubeconfigFile(cfg)}  (server rewritten to the bastion's public address)`,
      kubectl(cfg, "get", "nodes", "-o", "name").join(" "),
    ],
    run: async (ctx) => {
      const bastion = need(ctx.state.bastion, "the bastion address");
      const host: Host = { name: "control-plane", group: "control_plane", address: bastion };
      const opts = { user: ctx.cfg.sshUser, key: ctx.cfg.sshKey, timeoutS: 0, intervalS: 0 };
      // admin.conf holds the cluster-admin key: not logged, not shown.
      const r = await ctx.shell.run(
        "ssh",
        sshArgs(host, opts, ["sudo", "cat", "/etc/kubernetes/admin.conf"]),
        { secretOutput: true },
      );
      if (!r.stdout.includes("clusters:"))
        throw new PhaseFailure("admin.conf from the control plane is not a kubeconfig");
      // kubeadm writes the private endpoint; the operator reaches the API server on the public one.
      const config = r.stdout.replace(
        /server: https:\/\/[^:\s]+:6443/g,
        `server: https://${bastion}:6443`,
      );
      writeFileSync(kubeconfigFile(ctx.cfg), config);
      chmodSync(kubeconfigFile(ctx.cfg), 0o600);
      const nodes = (await sh(ctx, kubectl(ctx.cfg, "get", "nodes", "-o", "name"))).stdout
        .trim()
        .split("\n")
        .filter(Boolean);
      const expected = need(ctx.state.hosts, "the host list").length;
      if (nodes.length !== expected)
        throw new PhaseFailure(`the cluster has ${nodes.length} nodes, the inventory ${expected}`);
    },
  },
  {
    id: "argocd",
    title: "Bootstrap ArgoCD: secrets, AppProject, ApplicationSet",
    exitCode: 16,
    plan: (cfg) => [
      kubectl(cfg, "apply", "-f", "infra/k8s/base/platform/namespaces.yaml").join(" "),
      `${kubectl(cfg, "apply", "-f", "-").join(" ")}  < secrets built from ${cfg.secretsFile}`,
      kubectl(
        cfg,
        "-n",
        "argocd",
        "rollout",
        "status",
        "deployment/argocd-applicationset-controller",
        "--timeout=300s",
      ).join(" "),
      `${kubectl(cfg, "kustomize", `infra/argocd/${cfg.env}`).join(" ")} | (every token := its Terraform output, below) | ${kubectl(cfg, "apply", "-f", "-").join(" ")}`,
      ...bindingLines().map((l) => `    ${l}`),
    ],
    run: async (ctx) => {
      const outputs = need(ctx.state.outputs, "the Terraform outputs");
      const namespaces = join(ctx.cfg.root, "infra/k8s/base/platform/namespaces.yaml");
      await ctx.step("namespaces", async () => {
        await sh(ctx, kubectl(ctx.cfg, "apply", "-f", namespaces));
      });
      // Secret values go through stdin, never onto the command line or into the log.
      await ctx.step("secrets", async () => {
        const secrets = applicationSecrets(readFileSync(ctx.cfg.secretsFile, "utf8"));
        await sh(ctx, kubectl(ctx.cfg, "apply", "-f", "-"), secrets);
      });
      await ctx.step("argocd-ready", async () => {
        const controller = "deployment/argocd-applicationset-controller";
        await sh(
          ctx,
          kubectl(ctx.cfg, "-n", "argocd", "rollout", "status", controller, "--timeout=300s"),
        );
      });
      await ctx.step("applicationset", async () => {
        const dir = join(ctx.cfg.root, "infra/argocd", ctx.cfg.env);
        const rendered = (await sh(ctx, kubectl(ctx.cfg, "kustomize", dir))).stdout;
        let bound: string;
        try {
          bound = applyBindings(rendered, outputs);
        } catch (e) {
          throw new PhaseFailure(`${(e as Error).message}: re-run --from inventory`);
        }
        for (const l of bindingLines(outputs)) ctx.shell.log(`# ${l}`);
        await sh(ctx, kubectl(ctx.cfg, "apply", "-f", "-"), bound);
      });
    },
  },
  {
    id: "apps",
    title: "Wait until every Application is Synced and Healthy",
    exitCode: 17,
    plan: (cfg) => [
      `${kubectl(cfg, "-n", "argocd", "get", "applications.argoproj.io", "-o", "json").join(" ")}  (every ${cfg.appsIntervalS}s, up to ${cfg.appsTimeoutS}s)`,
    ],
    run: async (ctx) => {
      const expected = expectedApps(ctx.cfg);
      const deadline = Date.now() + ctx.cfg.appsTimeoutS * 1000;
      let waiting: string[] = expected;
      while (true) {
        const r = await sh(
          ctx,
          kubectl(ctx.cfg, "-n", "argocd", "get", "applications.argoproj.io", "-o", "json"),
          undefined,
          true,
        );
        if (r.code === 0) {
          const items =
            (
              JSON.parse(r.stdout || "{}") as {
                items?: {
                  metadata: { name: string };
                  status?: { sync?: { status?: string }; health?: { status?: string } };
                }[];
              }
            ).items ?? [];
          const status = new Map(
            items.map((i) => [
              i.metadata.name,
              `${i.status?.sync?.status ?? "Unknown"}/${i.status?.health?.status ?? "Unknown"}`,
            ]),
          );
          waiting = expected
            .filter((a) => status.get(a) !== "Synced/Healthy")
            .map((a) => `${a} (${status.get(a) ?? "missing"})`);
          if (waiting.length === 0) return;
        }
        if (Date.now() >= deadline) break;
        await sleep(Math.min(ctx.cfg.appsIntervalS * 1000, Math.max(0, deadline - Date.now())));
      }
      throw new PhaseFailure(
        `after ${ctx.cfg.appsTimeoutS}s these Applications are not Synced/Healthy: ${waiting.join(", ")}`,
      );
    },
  },
  {
    id: "smoke",
    title: "Smoke test through the public endpoint",
    exitCode: 18,
    plan: () => ["GET <api_url>/healthz and <api_url>/readyz until both answer 200"],
    run: async (ctx) => {
      const base = need(ctx.state.apiUrl, "the API URL");
      const deadline = Date.now() + ctx.cfg.smokeTimeoutS * 1000;
      let last = "";
      for (const path of ["/healthz", "/readyz"]) {
        while (true) {
          try {
            const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
            last = `${path} answered ${res.status}`;
            ctx.shell.log(`# GET ${base}${path} -> ${res.status}`);
            if (res.status === 200) break;
          } catch (e) {
            last = `${path}: ${(e as Error).message}`;
            ctx.shell.log(`# GET ${base}${path} failed: ${last}`);
          }
          if (Date.now() >= deadline)
            throw new PhaseFailure(`the public endpoint ${base} is not healthy: ${last}`);
          await sleep(2000);
        }
      }
    },
  },
];

export const PHASE_IDS = PHASES.map((p) => p.id);

export function destroySteps(cfg: Config): string[][] {
  return [
    tf(cfg, "init", "-input=false", "-reconfigure", `-backend-config=${cfg.backendConfig}`),
    tf(
      cfg,
      "destroy",
      "-auto-approve",
      "-input=false",
      `-var-file=${cfg.tfvars}`,
      `-var=environment=${cfg.env}`,
    ),
  ];
}

/**
 * Unattached EBS volumes the CSI driver created for this environment (the ebs_csi role tags
 * them eco2.io/environment); with reclaimPolicy Retain they outlive the cluster.
 */
export function leftoverVolumesCommand(cfg: Config): string[] {
  return [
    "aws",
    "ec2",
    "describe-volumes",
    "--region",
    cfg.region,
    "--filters",
    `Name=tag:eco2.io/environment,Values=${cfg.env}`,
    "Name=status,Values=available",
    "--query",
    "Volumes[].VolumeId",
    "--output",
    "text",
  ];
}
