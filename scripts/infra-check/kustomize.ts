// Renders every kustomization with `kubectl kustomize` (offline): each environment overlay,
// each per-app overlay ArgoCD syncs, and each ArgoCD entry point.
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { run, tail } from "./exec.ts";
import { type K8sObject, parseYamlDocs } from "./sources.ts";
import { type Problem, problem } from "./types.ts";

export interface Build {
  dir: string;
  objects: K8sObject[];
}

const isDir = (p: string) => existsSync(join(p, "kustomization.yaml"));

/** Kustomization roots: [environment overlays, per-app overlays, argocd entry points]. */
export function kustomizeTargets(root: string): {
  envs: string[];
  apps: string[];
  argocd: string[];
} {
  const sub = (dir: string) =>
    existsSync(dir)
      ? readdirSync(dir)
          .sort()
          .map((n) => join(dir, n))
          .filter(isDir)
      : [];
  const envs = sub(join(root, "infra/k8s/overlays"));
  return {
    envs,
    apps: envs.flatMap(sub),
    argocd: sub(join(root, "infra/argocd")).filter((d) => !d.endsWith("/base")),
  };
}

export function build(
  root: string,
  dir: string,
  kubectl: string,
): { build?: Build; problem?: Problem } {
  const r = run(kubectl, ["kustomize", dir]);
  const rel = relative(root, dir);
  if (r.code !== 0)
    return {
      problem: problem(`${rel}/kustomization.yaml`, `kustomize build failed:\n${tail(r.stderr)}`),
    };
  try {
    return { build: { dir: rel, objects: parseYamlDocs(r.stdout) as K8sObject[] } };
  } catch (e) {
    return {
      problem: problem(
        `${rel}/kustomization.yaml`,
        `rendered YAML does not parse: ${(e as Error).message}`,
      ),
    };
  }
}
