// --destroy: tears the environment down after the operator types the confirmation phrase.
// terraform destroy also empties the images bucket (force_destroy: every object version goes
// with it). Volumes the EBS CSI driver made for Retain claims are not Terraform's: they are
// listed afterwards, and deleted only with --delete-volumes. The state file goes too, so the
// next rebuild starts from scratch.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.ts";
import { CommandError, Shell } from "./exec.ts";
import { destroySteps, leftoverVolumesCommand } from "./phases.ts";
import { readLine } from "./prompt.ts";
import { EXIT, type Out } from "./runner.ts";
import { clearState } from "./state.ts";

export const DESTROY_EXIT = 19;

async function leftoverVolumes(cfg: Config, shell: Shell, remove: boolean, out: Out) {
  const [cmd, ...args] = leftoverVolumesCommand(cfg);
  const r = await shell.run(cmd!, args, { allowFailure: true });
  if (r.code !== 0) {
    out(
      `could not list leftover volumes (\`${[cmd, ...args].join(" ")}\` exited ${r.code}); check the EC2 console`,
    );
    return;
  }
  const ids = r.stdout.split(/\s+/).filter((v) => v.startsWith("vol-"));
  if (ids.length === 0) return out("no leftover data volumes");
  out(`${ids.length} data volume(s) left by Retain claims: ${ids.join(", ")}`);
  if (!remove) {
    out("  kept (they hold PostgreSQL, RabbitMQ, Redis and Prometheus data); delete them with:");
    for (const id of ids) out(`    aws ec2 delete-volume --region ${cfg.region} --volume-id ${id}`);
    out("  or re-run with --destroy --delete-volumes");
    return;
  }
  for (const id of ids)
    await shell.run("aws", ["ec2", "delete-volume", "--region", cfg.region, "--volume-id", id]);
  out(`deleted ${ids.length} volume(s)`);
}

export async function runDestroy(
  cfg: Config,
  opts: { dryRun: boolean; deleteVolumes: boolean },
  out: Out,
): Promise<number> {
  if (opts.dryRun) {
    out(`destroy plan for ${cfg.env} (dry run: nothing is executed)`);
    out(`        (asks you to type "destroy ${cfg.env}")`);
    for (const argv of destroySteps(cfg)) out(`        $ ${argv.join(" ")}`);
    out(`        $ ${leftoverVolumesCommand(cfg).join(" ")}`);
    out(
      `        (then lists those volumes${opts.deleteVolumes ? " and deletes them" : "; --delete-volumes deletes them"})`,
    );
    return EXIT.ok;
  }
  const phrase = `destroy ${cfg.env}`;
  const answer = await readLine(
    `This deletes every resource of ${cfg.env} (nodes, load balancer, DNS records, and every object and version in the images bucket). Type "${phrase}" to continue:`,
    out,
  );
  if (answer !== phrase) {
    out("aborted: confirmation did not match; nothing was destroyed");
    return EXIT.aborted;
  }
  mkdirSync(join(cfg.stateDir, "logs"), { recursive: true });
  const log = join(cfg.stateDir, "logs", "destroy.log");
  const shell = new Shell(log, out);
  try {
    for (const [cmd, ...args] of destroySteps(cfg)) {
      await shell.run(cmd!, args, { env: { TF_IN_AUTOMATION: "1" } });
    }
    await leftoverVolumes(cfg, shell, opts.deleteVolumes, out);
  } catch (e) {
    out(`destroy FAILED: ${(e as Error).message}`);
    if (e instanceof CommandError)
      out(
        `  command: ${e.command}\n  log: ${log}\n  retry with: npm run rebuild -- --env ${cfg.env} --destroy`,
      );
    return DESTROY_EXIT;
  }
  clearState(cfg.stateDir);
  out(`${cfg.env} destroyed`);
  return EXIT.ok;
}
