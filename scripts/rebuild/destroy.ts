// --destroy: tears the environment down with terraform destroy after the operator types the
// confirmation phrase. The state file goes too, so the next rebuild starts from scratch.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Config } from "./config.ts";
import { CommandError, Shell } from "./exec.ts";
import { destroySteps } from "./phases.ts";
import { EXIT, type Out } from "./runner.ts";
import { clearState } from "./state.ts";

export const DESTROY_EXIT = 19;

async function readLine(prompt: string, out: Out): Promise<string> {
  out(prompt);
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line.trim();
  }
  return "";
}

export async function runDestroy(cfg: Config, dryRun: boolean, out: Out): Promise<number> {
  if (dryRun) {
    out(`destroy plan for ${cfg.env} (dry run: nothing is executed)`);
    for (const argv of destroySteps(cfg)) out(`        $ ${argv.join(" ")}`);
    return EXIT.ok;
  }
  const phrase = `destroy ${cfg.env}`;
  const answer = await readLine(
    `This deletes every resource of ${cfg.env} (nodes, volumes, load balancer, DNS records). Type "${phrase}" to continue:`,
    out,
  );
  if (answer !== phrase) {
    out("aborted: confirmation did not match; nothing was destroyed");
    return EXIT.aborted;
  }
  mkdirSync(join(cfg.stateDir, "logs"), { recursive: true });
  const log = join(cfg.stateDir, "logs", "destroy.log");
  const shell = new Shell(log);
  try {
    for (const [cmd, ...args] of destroySteps(cfg)) {
      await shell.run(cmd!, args, { env: { TF_IN_AUTOMATION: "1" } });
    }
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
