// Selects the phases to run, runs them with a progress line and a log file each, records
// progress in the state file, and turns any failure into a cause, a log path, the exact
// command to resume, and a phase-specific exit code.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bindingLines } from "./bindings.ts";
import type { Config } from "./config.ts";
import { CommandError, Shell } from "./exec.ts";
import { type Ctx, Declined, PHASE_IDS, PHASES, type Phase, PhaseFailure } from "./phases.ts";
import { readLine } from "./prompt.ts";
import { SshTimeoutError } from "./ssh-wait.ts";
import { clearState, loadState, saveState, stateFile } from "./state.ts";

export const EXIT = { ok: 0, usage: 2, aborted: 3 } as const;

export interface RunRequest {
  from?: string;
  only?: string;
  fresh?: boolean;
  dryRun?: boolean;
  /** Apply the Terraform plan without asking (dev only; prod always asks). */
  yes?: boolean;
}

export type Out = (line: string) => void;

export function selectPhases(req: RunRequest, completed: string[]): Phase[] {
  if (req.only) return PHASES.filter((p) => p.id === req.only);
  if (req.from) return PHASES.slice(PHASE_IDS.indexOf(req.from));
  // Resume: start at the first phase the state file does not record as done.
  const first = PHASES.findIndex((p) => !completed.includes(p.id));
  return first === -1 ? [] : PHASES.slice(first);
}

export function resumeCommand(cfg: Config, phase: string): string {
  return `npm run rebuild -- --env ${cfg.env} --from ${phase}`;
}

/** ctx.step for one phase: skips steps the state records as done, records each one it finishes. */
function phaseSteps(ctx: Ctx, phase: string, out: Out): Ctx["step"] {
  return async (name, body) => {
    const done = ctx.state.steps?.[phase] ?? [];
    if (done.includes(name)) {
      out(`      (${name}: done by the previous run)`);
      ctx.shell.log(`# ${name}: done by the previous run, skipped`);
      return;
    }
    await body();
    ctx.state.steps = { ...ctx.state.steps, [phase]: [...done, name] };
    ctx.save();
  };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export async function runRebuild(cfg: Config, req: RunRequest, out: Out): Promise<number> {
  if (req.fresh && !req.dryRun) clearState(cfg.stateDir);
  const state = req.fresh
    ? { version: 1 as const, env: cfg.env, completed: [] }
    : loadState(cfg.stateDir, cfg.env);
  const phases = selectPhases(req, state.completed);

  if (req.dryRun) {
    out(`rebuild plan for ${cfg.env} (dry run: nothing is executed)`);
    if (phases.length === 0)
      out("  every phase is already complete; use --fresh or --from <phase>");
    for (const p of phases) {
      out(`  [${PHASE_IDS.indexOf(p.id) + 1}/${PHASES.length}] ${p.id}: ${p.title}`);
      for (const c of p.plan(cfg)) out(`        $ ${c}`);
    }
    out(
      `Terraform outputs → cluster configuration (${state.outputs ? `as recorded in ${stateFile(cfg.stateDir)}` : "values known after the inventory phase"}):`,
    );
    for (const l of bindingLines(state.outputs)) out(`        ${l}`);
    return EXIT.ok;
  }

  if (phases.length === 0) {
    out(
      `every phase is complete (${stateFile(cfg.stateDir)}); use --fresh to start over or --from <phase>`,
    );
    return EXIT.ok;
  }
  const skipped = PHASES.slice(0, PHASE_IDS.indexOf(phases[0]!.id)).map((p) => p.id);
  if (!req.only && skipped.length > 0)
    out(`resuming at ${phases[0]!.id} (done earlier: ${skipped.join(", ")})`);

  const logDir = join(cfg.stateDir, "logs");
  mkdirSync(logDir, { recursive: true });
  const shell = new Shell(join(logDir, "rebuild.log"), out);
  const ctx: Ctx = {
    cfg,
    state,
    shell,
    save: () => saveState(cfg.stateDir, state),
    confirm: async (question, phrase) => (await readLine(question, out)) === phrase,
    yes: req.yes === true,
    step: async () => {},
  };
  // Steps finished by a failed run count only when resuming on our own; --from/--only redo all.
  if (req.from || req.only) state.steps = undefined;
  const started = Date.now();

  for (const p of phases) {
    const n = `[${PHASE_IDS.indexOf(p.id) + 1}/${PHASES.length}]`;
    const log = join(logDir, `${String(PHASE_IDS.indexOf(p.id) + 1).padStart(2, "0")}-${p.id}.log`);
    writeFileSync(log, `# ${p.title} — ${new Date().toISOString()}\n`);
    shell.setLog(log);
    out(`${n} ${p.id}: ${p.title} …`);
    ctx.step = phaseSteps(ctx, p.id, out);
    const t0 = Date.now();
    try {
      await p.run(ctx);
    } catch (e) {
      const elapsed = Date.now() - t0;
      if (e instanceof Declined) {
        out(`${n} ${p.id}: ${e.message}`);
        out(`  resume with: ${resumeCommand(cfg, p.id)}`);
        return EXIT.aborted;
      }
      const cause =
        e instanceof CommandError
          ? `${e.message}\n      ${e.output.replace(/\n/g, "\n      ")}`
          : e instanceof PhaseFailure || e instanceof SshTimeoutError
            ? e.message
            : `unexpected error: ${(e as Error).stack ?? e}`;
      state.failed = {
        phase: p.id,
        at: new Date().toISOString(),
        message: e instanceof Error ? e.message : String(e),
      };
      ctx.save();
      out(`${n} ${p.id} FAILED after ${secs(elapsed)} (total ${secs(Date.now() - started)})`);
      out(`  cause: ${cause}`);
      if (e instanceof CommandError) out(`  command: ${e.command}`);
      out(`  log: ${log}`);
      out(`  resume with: ${resumeCommand(cfg, p.id)}`);
      return p.exitCode;
    }
    if (!state.completed.includes(p.id)) state.completed.push(p.id);
    if (state.steps) delete state.steps[p.id];
    state.failed = undefined;
    ctx.save();
    out(`${n} ${p.id} done in ${secs(Date.now() - t0)} (total ${secs(Date.now() - started)})`);
  }
  out(
    `rebuild of ${cfg.env} complete in ${secs(Date.now() - started)}${state.apiUrl ? `: ${state.apiUrl}` : ""}`,
  );
  return EXIT.ok;
}
