// npm run rebuild — stands up (or rebuilds) an Eco² environment end to end:
// preflight → terraform → inventory → ssh → ansible → kubeconfig → argocd → apps → smoke.
//   npm run rebuild -- [--env prod|dev] [--dry-run] [--from <phase>] [--only <phase>] [--fresh]
//   npm run rebuild -- --destroy [--env prod|dev]
// State, logs, inventory and kubeconfig: infra/.rebuild/<env>/ (ECO2_REBUILD_DIR overrides).
import { parseArgs } from "node:util";
import { loadConfig } from "./rebuild/config.ts";
import { runDestroy } from "./rebuild/destroy.ts";
import { PHASE_IDS } from "./rebuild/phases.ts";
import { EXIT, runRebuild } from "./rebuild/runner.ts";

const USAGE = `usage: npm run rebuild -- [--env prod|dev] [--dry-run] [--from <phase>] [--only <phase>] [--fresh] [--destroy]
phases: ${PHASE_IDS.join(", ")}`;

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
        destroy: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    console.log(USAGE);
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
  if (values.destroy) return runDestroy(cfg, values["dry-run"] === true, out);
  return runRebuild(
    cfg,
    {
      from: values.from as string | undefined,
      only: values.only as string | undefined,
      fresh: values.fresh === true,
      dryRun: values["dry-run"] === true,
    },
    out,
  );
}

process.exitCode = await main(process.argv.slice(2));
