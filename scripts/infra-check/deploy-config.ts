// What a rendered environment needs from outside the manifests to run on AWS: images that the
// image workflow really pushes (pinned, never `latest`) with a pull secret, the Terraform
// values that only the rebuild may fill in, and the instance metadata endpoint for the pods
// that use their node's instance profile.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import {
  IMAGE_PULL_SECRET,
  IMAGES_COMPONENT_DIR,
  IMDS_CIDR,
  IMDS_PORT,
  INSTANCE_PROFILE_USERS,
} from "../../infra/k8s/generate/component-facts.ts";
import {
  TERRAFORM_BINDINGS,
  TERRAFORM_CONFIG_KEYS,
} from "../../infra/k8s/generate/terraform-bindings.ts";
import { overlaps, parseCidr } from "./network.ts";
import { describe, type K8sObject, type SourceIndex } from "./sources.ts";
import { type Problem, problem } from "./types.ts";

type Dict = Record<string, unknown>;
const WORKFLOW = ".github/workflows/images.yml";

const get = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Dict)[k] : undefined), o);

export interface PushedImages {
  registry: string;
  /** component -> repository the workflow pushes. */
  repos: Map<string, string>;
  /** Tags the workflow pushes, as patterns. */
  tagPatterns: { pattern: RegExp; moving: boolean; what: string }[];
}

// GitHub expressions, spelled as they appear in the workflow (not JavaScript templates).
const GH = (expr: string) => `$\{{ ${expr} }}`;

const globToRegex = (g: string) =>
  new RegExp(`^${g.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);

/** The repositories and tags .github/workflows/images.yml pushes, read from its build job. */
export function pushedImages(root: string): PushedImages | null {
  const path = join(root, WORKFLOW);
  if (!existsSync(path)) return null;
  const wf = parse(readFileSync(path, "utf8")) as Dict;
  const registry = String(get(wf, "env", "REGISTRY") ?? "");
  const jobs = Object.values((wf.jobs ?? {}) as Record<string, Dict>);
  const build = jobs.find((j) => get(j, "strategy", "matrix", "component"));
  if (!build) return null;
  const components = get(build, "strategy", "matrix", "component") as string[];
  const push = ((build.steps ?? []) as Dict[]).find((s) => get(s, "with", "tags"));
  const tagLines = String(get(push, "with", "tags") ?? "")
    .split("\n")
    .filter((l) => l.trim());
  const repoTemplate = (tagLines[0] ?? "").split(":")[0]?.trim() ?? "";
  const repos = new Map(
    components.map((c) => [
      c,
      repoTemplate.replace(GH("env.REGISTRY"), registry).replace(GH("matrix.component"), c),
    ]),
  );
  const onPush = (get(wf, "on", "push") ?? {}) as { branches?: string[]; tags?: string[] };
  const tagPatterns: PushedImages["tagPatterns"] = [];
  for (const line of tagLines) {
    const tag = line.slice(line.indexOf("}:") + 2).trim();
    if (tag === GH("github.sha"))
      tagPatterns.push({ pattern: /^[0-9a-f]{40}$/, moving: false, what: "commit SHA" });
    else if (tag.includes("github.ref_name")) {
      for (const g of onPush.tags ?? [])
        tagPatterns.push({ pattern: globToRegex(g), moving: false, what: `git tag ${g}` });
      for (const b of onPush.branches ?? [])
        tagPatterns.push({ pattern: globToRegex(b), moving: true, what: `branch ${b}` });
    }
  }
  return { registry, repos, tagPatterns };
}

interface Container {
  name: string;
  image?: string;
}

const podSpec = (w: K8sObject) => (get(w, "spec", "template", "spec") ?? {}) as Dict;

/** Images: pinned, never latest; ours are exactly what the workflow pushes for that component. */
export function checkImages(
  root: string,
  objects: K8sObject[],
  sources: SourceIndex,
  fallback: string,
  pushed: PushedImages | null,
  env: string,
): Problem[] {
  const problems: Problem[] = [];
  // Tags come from the CI-owned images Component; name it rather than the Deployment.
  const component = `${IMAGES_COMPONENT_DIR}/${env}/kustomization.yaml`;
  const tagFile = existsSync(join(root, component)) ? component : fallback;
  for (const w of objects.filter((o) =>
    ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind ?? ""),
  )) {
    const file = sources.fileOf(w, fallback);
    const component = (get(w, "spec", "template", "metadata", "labels") as Dict | undefined)?.[
      "app.kubernetes.io/name"
    ];
    const spec = podSpec(w);
    const containers = [
      ...((spec.initContainers ?? []) as Container[]),
      ...((spec.containers ?? []) as Container[]),
    ];
    for (const c of containers) {
      const image = c.image ?? "";
      const at = image.lastIndexOf("@");
      const colon = image.lastIndexOf(":");
      const slash = image.lastIndexOf("/");
      const repo = at > 0 ? image.slice(0, at) : colon > slash ? image.slice(0, colon) : image;
      const tag = at > 0 ? null : colon > slash ? image.slice(colon + 1) : null;
      const where = `${describe(w)} container ${c.name}`;
      const ours = !!pushed && repo.startsWith(`${pushed.registry}/`);
      const want = pushed?.repos.get(String(component));
      if (ours && repo !== want) {
        problems.push(
          problem(
            file,
            `${where}: image ${repo} is not what ${WORKFLOW} pushes for ${component} (${want ?? "no such component in its matrix"})`,
          ),
        );
        continue;
      }
      if (at < 0 && (tag === null || tag === "latest")) {
        problems.push(
          problem(
            file,
            `${where}: image ${image} is not pinned (${tag ?? "no tag"}; use a version)`,
          ),
        );
        continue;
      }
      if (!pushed || !ours) continue;
      const fits = pushed.tagPatterns.filter((p) => p.pattern.test(tag ?? ""));
      if (fits.length === 0)
        problems.push(problem(tagFile, `${where}: tag ${tag} is never pushed by ${WORKFLOW}`));
      else if (env === "prod" && fits.every((p) => p.moving))
        problems.push(
          problem(
            tagFile,
            `${where}: prod pins the moving tag ${tag}; pin a commit SHA or a release tag`,
          ),
        );
      const secrets = ((spec.imagePullSecrets ?? []) as { name?: string }[]).map((s) => s.name);
      if (!secrets.includes(IMAGE_PULL_SECRET))
        problems.push(
          problem(
            file,
            `${where}: no imagePullSecrets ${IMAGE_PULL_SECRET} (the packages are private; scripts/rebuild creates it)`,
          ),
        );
    }
  }
  return problems;
}

interface Peer {
  ipBlock?: { cidr: string; except?: string[] };
}

function reachesImds(w: K8sObject, objects: K8sObject[]): boolean {
  const labels = (get(w, "spec", "template", "metadata", "labels") ?? {}) as Record<string, string>;
  const imds = IMDS_CIDR.split("/")[0]!;
  return objects.some((p) => {
    if (p.kind !== "NetworkPolicy" || p.metadata?.namespace !== w.metadata?.namespace) return false;
    const sel = (get(p, "spec", "podSelector", "matchLabels") ?? {}) as Record<string, string>;
    if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) return false;
    const rules = (get(p, "spec", "egress") ?? []) as {
      to?: Peer[];
      ports?: { port?: number; protocol?: string }[];
    }[];
    return rules.some(
      (r) =>
        (r.to ?? []).some(
          (t) =>
            !!t.ipBlock &&
            overlaps(t.ipBlock.cidr, `${imds}/32`) &&
            !!parseCidr(t.ipBlock.cidr) &&
            !(t.ipBlock.except ?? []).some((e) => overlaps(e, `${imds}/32`)),
        ) &&
        (!r.ports ||
          r.ports.some((pt) => pt.port === IMDS_PORT && (pt.protocol ?? "TCP") === "TCP")),
    );
  });
}

/** Pods that use their node's instance profile can reach the metadata endpoint for credentials. */
export function checkImds(objects: K8sObject[], sources: SourceIndex, fallback: string): Problem[] {
  const problems: Problem[] = [];
  for (const w of objects.filter((o) => o.kind === "Deployment")) {
    const name = w.metadata?.name ?? "";
    if (!INSTANCE_PROFILE_USERS[name] || reachesImds(w, objects)) continue;
    const policy = objects.find(
      (o) =>
        o.kind === "NetworkPolicy" &&
        o.metadata?.name === `${name}-egress` &&
        o.metadata?.namespace === w.metadata?.namespace,
    );
    problems.push(
      problem(
        policy ? sources.fileOf(policy, fallback) : sources.fileOf(w, fallback),
        `${describe(w)} uses its instance profile (${INSTANCE_PROFILE_USERS[name]}) but no NetworkPolicy lets it reach ${IMDS_CIDR}:${IMDS_PORT}, where the credentials come from`,
      ),
    );
  }
  return problems;
}

/** Terraform-decided values: never in the manifests, always patched from a bound output. */
export function checkBindings(
  envObjects: K8sObject[],
  argoObjects: K8sObject[],
  sources: SourceIndex,
  fallback: string,
  outputs: string[],
): Problem[] {
  const problems: Problem[] = [];
  for (const cm of envObjects.filter((o) => o.kind === "ConfigMap")) {
    for (const key of TERRAFORM_CONFIG_KEYS) {
      const v = get(cm, "data", key);
      if (v !== undefined)
        problems.push(
          problem(
            sources.fileOf(cm, fallback),
            `${describe(cm)} hard-codes ${key}=${JSON.stringify(v)}, which Terraform decides (output ${TERRAFORM_BINDINGS.find((b) => "key" in b.target && b.target.key === key)?.output}); scripts/rebuild fills it in through the ApplicationSet`,
          ),
        );
    }
  }
  for (const b of TERRAFORM_BINDINGS) {
    if (!outputs.includes(b.output))
      problems.push(
        problem(
          "infra/terraform/outputs.tf",
          `output ${b.output} is missing (bound to ${b.token})`,
        ),
      );
  }
  for (const set of argoObjects.filter((o) => o.kind === "ApplicationSet")) {
    const file = sources.fileOf(set, fallback);
    const patches = (get(set, "spec", "template", "spec", "source", "kustomize", "patches") ??
      []) as {
      target?: Dict;
      patch?: string;
    }[];
    for (const b of TERRAFORM_BINDINGS) {
      const path = "key" in b.target ? `/data/${b.target.key}` : b.target.path;
      const ok = patches.some((p) => {
        if (p.target?.kind !== b.target.kind || p.target?.name !== b.target.name) return false;
        try {
          return (JSON.parse(p.patch ?? "[]") as { path?: string; value?: unknown }[]).some(
            (op) => op.path === path && op.value === b.token,
          );
        } catch {
          return false;
        }
      });
      if (!ok)
        problems.push(
          problem(
            file,
            `${describe(set)}: no patch sets ${b.target.kind} ${b.target.name} ${path} to ${b.token} (terraform output ${b.output})`,
          ),
        );
    }
  }
  return problems;
}
