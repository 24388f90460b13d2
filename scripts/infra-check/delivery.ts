// Delivery files that cannot be built here (no Docker engine, no GitHub runner): check that they
// parse and agree with the component catalog, so adding a component cannot silently skip its
// image build or deploy bump.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { COMPONENTS } from "../../infra/k8s/catalog.ts";
import { OUTPUTS } from "./generated.ts";
import { walkFiles } from "./sources.ts";
import { type Problem, problem } from "./types.ts";

const names = COMPONENTS.map((c) => c.name);

function dockerfile(root: string): Problem[] {
  const file = "Dockerfile";
  if (!existsSync(join(root, file))) return [problem(file, "missing")];
  const text = readFileSync(join(root, file), "utf8");
  const problems: Problem[] = [];
  const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1] ?? "");
  if (froms.length < 2)
    problems.push(problem(file, "expected a multi-stage build (two or more FROM)"));
  for (const f of froms) {
    if (!/:[^:]+$/.test(f) || f.endsWith(":latest"))
      problems.push(problem(file, `base image ${f} is not pinned to a version`));
  }
  const users = [...text.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1] ?? "");
  if (users.length === 0 || /^(root|0)(:|$)/.test(users.at(-1) ?? ""))
    problems.push(problem(file, "the final stage must run as a non-root USER"));
  if (!/^HEALTHCHECK\s/m.test(text)) problems.push(problem(file, "no HEALTHCHECK"));
  for (const n of names) {
    if (!new RegExp(`\\b${n}\\b`).test(text.slice(text.indexOf("case"))))
      problems.push(problem(file, `component ${n} has no entry in the COMPONENT case`));
  }
  return problems;
}

function workflows(root: string): Problem[] {
  const problems: Problem[] = [];
  const files = walkFiles(join(root, ".github/workflows"), /\.ya?ml$/);
  if (files.length === 0) return [problem(".github/workflows", "no workflows")];
  for (const f of files) {
    const rel = f.slice(root.length + 1);
    let doc: {
      jobs?: Record<
        string,
        { strategy?: { matrix?: { component?: string[] } }; steps?: { run?: string }[] }
      >;
    };
    try {
      doc = parse(readFileSync(f, "utf8"));
    } catch (e) {
      problems.push(problem(rel, `does not parse: ${(e as Error).message}`));
      continue;
    }
    for (const [job, j] of Object.entries(doc.jobs ?? {})) {
      const matrix = j.strategy?.matrix?.component;
      if (matrix) {
        const missing = names.filter((n) => !matrix.includes(n));
        if (missing.length > 0)
          problems.push(problem(rel, `job ${job}: matrix lacks ${missing.join(", ")}`));
      }
      for (const s of j.steps ?? []) {
        // A workflow that edits generated files fails the `generated` step on its own commit.
        const edited = OUTPUTS.filter(
          (o) => o !== "infra/monitoring/dashboards" && s.run?.includes(o),
        );
        if (edited.length > 0)
          problems.push(
            problem(
              rel,
              `job ${job}: edits ${edited.join(", ")}, which infra/k8s/generate.ts owns; bump tags in infra/k8s/images/<env> instead`,
            ),
          );
        const loop = s.run?.match(/for c in ([\w ]+); do/);
        if (loop?.[1]) {
          const listed = loop[1].trim().split(/\s+/);
          const missing = names.filter((n) => !listed.includes(n));
          if (missing.length > 0)
            problems.push(problem(rel, `job ${job}: image bump skips ${missing.join(", ")}`));
        }
      }
    }
  }
  const ci = readFileSync(join(root, ".github/workflows/ci.yml"), "utf8");
  if (!ci.includes("npm run infra:check"))
    problems.push(problem(".github/workflows/ci.yml", "CI does not run npm run infra:check"));
  return problems;
}

function atlantis(root: string): Problem[] {
  const file = "atlantis.yaml";
  if (!existsSync(join(root, file))) return [problem(file, "missing")];
  const doc = parse(readFileSync(join(root, file), "utf8")) as {
    version?: number;
    projects?: { dir: string }[];
  };
  const problems: Problem[] = [];
  if (doc.version !== 3) problems.push(problem(file, "version must be 3"));
  for (const p of doc.projects ?? []) {
    if (!existsSync(join(root, p.dir)))
      problems.push(problem(file, `project dir ${p.dir} does not exist`));
  }
  return problems;
}

export function checkDelivery(root: string): Problem[] {
  const seen = new Set<string>();
  return [...dockerfile(root), ...workflows(root), ...atlantis(root)].filter((p) => {
    const key = `${p.file}\u0000${p.message}`;
    return !seen.has(key) && !!seen.add(key);
  });
}
