// npm run infra:check — renders and validates everything under infra/ (see
// scripts/infra-check/index.ts for the steps). Exit code 0 only when no step failed; skipped
// steps are listed as SKIPPED with the reason.
//   bun scripts/infra-check.ts [--only step,step] [--no-install] [--root <dir>]
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { runInfraCheck, STEPS } from "./infra-check/index.ts";
import type { StepResult } from "./infra-check/types.ts";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    "no-install": { type: "boolean", default: false },
    root: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(
    `usage: bun scripts/infra-check.ts [--only ${STEPS.join(",")}] [--no-install] [--root <dir>]`,
  );
  process.exit(0);
}

const only = values.only?.split(",").filter(Boolean) ?? [];
const unknown = only.filter((s) => !(STEPS as readonly string[]).includes(s));
if (unknown.length > 0) {
  console.error(`unknown step(s): ${unknown.join(", ")}; steps are ${STEPS.join(", ")}`);
  process.exit(2);
}

const root = resolve(values.root ?? resolve(import.meta.dirname, ".."));
const started = performance.now();
const results = await runInfraCheck(root, {
  only,
  install: !values["no-install"],
  log: (line) => console.error(line),
});

const label: Record<StepResult["status"], string> = {
  pass: "PASS   ",
  fail: "FAIL   ",
  skipped: "SKIPPED",
};
for (const r of results) {
  console.log(`${label[r.status]} ${r.step} (${(r.ms / 1000).toFixed(1)}s)`);
  for (const n of r.notes) console.log(`        ${n}`);
  for (const p of r.problems)
    console.log(`        ✗ ${p.file}: ${p.message.replace(/\n/g, "\n          ")}`);
}
const failed = results.filter((r) => r.status === "fail");
const skipped = results.filter((r) => r.status === "skipped");
console.log(
  `\ninfra check: ${results.length - failed.length - skipped.length} passed, ${failed.length} failed, ${skipped.length} skipped in ${((performance.now() - started) / 1000).toFixed(1)}s`,
);
process.exit(failed.length > 0 ? 1 : 0);
