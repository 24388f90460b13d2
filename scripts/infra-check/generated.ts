// The Kubernetes/ArgoCD YAML and the dashboards are generated from TypeScript and committed.
// Re-run the generators in a scratch copy and compare, so a hand edit of generated YAML or a
// catalog change without regenerating fails here instead of drifting.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { run, tail } from "./exec.ts";
import { walkFiles } from "./sources.ts";
import { type Problem, problem } from "./types.ts";

const GENERATORS = ["infra/k8s/generate.ts", "infra/monitoring/dashboards/generate.ts"];
/** What the generators import from outside infra/. */
const SOURCES = ["catalog", "lib"];
export const OUTPUTS = [
  "infra/k8s/base",
  "infra/k8s/overlays",
  "infra/argocd",
  "infra/monitoring/dashboards",
];

/** JSON is compared as data: Biome reformats the committed dashboards, the generator does not. */
function sameContent(file: string, a: string, b: string): boolean {
  if (!file.endsWith(".json")) return a === b;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

export function checkGenerated(root: string, modulesDir: string): Problem[] {
  const scratch = mkdtempSync(join(tmpdir(), "eco2-generated-"));
  try {
    cpSync(join(root, "infra"), join(scratch, "infra"), {
      recursive: true,
      filter: (src) => !/\/\.terraform(\/|$)|\/\.rebuild(\/|$)/.test(src),
    });
    // The generator reads the component catalog, which builds on lib/.
    for (const dir of SOURCES) cpSync(join(root, dir), join(scratch, dir), { recursive: true });
    symlinkSync(modulesDir, join(scratch, "node_modules"), "dir");
    for (const g of GENERATORS) {
      const r = run(process.execPath, [join(scratch, g)], { cwd: scratch });
      if (r.code !== 0) return [problem(g, `generator failed:\n${tail(r.stderr + r.stdout)}`)];
    }
    const problems: Problem[] = [];
    for (const out of OUTPUTS) {
      const committed = walkFiles(join(root, out), /./).map((f) => relative(root, f));
      const fresh = walkFiles(join(scratch, out), /./).map((f) => relative(scratch, f));
      for (const f of fresh) {
        if (f.endsWith(".ts")) continue;
        if (!committed.includes(f))
          problems.push(problem(f, "missing: run the generator and commit its output"));
        else if (
          !sameContent(
            f,
            readFileSync(join(root, f), "utf8"),
            readFileSync(join(scratch, f), "utf8"),
          )
        ) {
          const gen = f.includes("dashboards") ? GENERATORS[1] : GENERATORS[0];
          problems.push(
            problem(
              f,
              `differs from what ${gen} generates (edit the generator or catalog, then re-run it)`,
            ),
          );
        }
      }
      for (const f of committed) {
        if (!f.endsWith(".ts") && !fresh.includes(f) && existsSync(join(root, f))) {
          problems.push(
            problem(f, "not produced by the generator any more: delete it or update the generator"),
          );
        }
      }
    }
    return problems;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
