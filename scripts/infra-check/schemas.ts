// Validates every rendered object against its published JSON schema (kubernetes-models,
// @kubernetes-models/argo-cd, @kubernetes-models/prometheus-operator). Schemas catch wrong
// types and unknown shapes, not value ranges; the invariants step covers meaning.
import { describe, type K8sObject, type SourceIndex } from "./sources.ts";
import { type Problem, problem } from "./types.ts";

type Model = new (data: unknown) => { validate(): void };

function modulePath(apiVersion: string, kind: string): string | null {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com")
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  if (group === "argoproj.io") return `@kubernetes-models/argo-cd/${apiVersion}/${kind}`;
  if (group === "" || !group?.includes(".") || group.endsWith(".k8s.io")) {
    return `kubernetes-models/${group ? `${group}/` : ""}${version}/${kind}`;
  }
  return null;
}

/** Kinds with no published model: the fields the controller requires, checked by hand. */
const STRUCTURAL: Record<string, (o: K8sObject) => string[]> = {
  "elbv2.k8s.aws/v1beta1/TargetGroupBinding": (o) => {
    const spec = (o.spec ?? {}) as Record<string, unknown>;
    const ref = (spec.serviceRef ?? {}) as Record<string, unknown>;
    const errs: string[] = [];
    if (typeof ref.name !== "string") errs.push("spec.serviceRef.name must be a string");
    if (typeof ref.port !== "number" && typeof ref.port !== "string")
      errs.push("spec.serviceRef.port is required");
    if (
      typeof spec.targetGroupARN !== "string" ||
      !spec.targetGroupARN.startsWith("arn:aws:elasticloadbalancing:")
    )
      errs.push("spec.targetGroupARN must be an ELB target group ARN");
    if (!["instance", "ip"].includes(String(spec.targetType)))
      errs.push("spec.targetType must be instance or ip");
    return errs;
  },
};

const cache = new Map<string, Model | null>();

async function loadModel(apiVersion: string, kind: string): Promise<Model | null> {
  const path = modulePath(apiVersion, kind);
  if (!path) return null;
  if (cache.has(path)) return cache.get(path) ?? null;
  let model: Model | null = null;
  try {
    const mod = (await import(path)) as Record<string, unknown>;
    model = (mod[kind] as Model | undefined) ?? null;
  } catch {
    model = null;
  }
  cache.set(path, model);
  return model;
}

export async function validateSchemas(
  objects: K8sObject[],
  sources: SourceIndex,
  fallback: string,
): Promise<{ problems: Problem[]; validated: number; structural: number }> {
  const problems: Problem[] = [];
  let validated = 0;
  let structural = 0;
  for (const o of objects) {
    const file = sources.fileOf(o, fallback);
    if (!o.apiVersion || !o.kind) {
      problems.push(problem(file, "object without apiVersion/kind"));
      continue;
    }
    const hand = STRUCTURAL[`${o.apiVersion}/${o.kind}`];
    if (hand) {
      structural++;
      for (const e of hand(o)) problems.push(problem(file, `${describe(o)}: ${e}`));
      continue;
    }
    const Model = await loadModel(o.apiVersion, o.kind);
    if (!Model) {
      problems.push(problem(file, `${describe(o)}: no schema known for ${o.apiVersion} ${o.kind}`));
      continue;
    }
    try {
      new Model(o).validate();
      validated++;
    } catch (e) {
      problems.push(problem(file, `${describe(o)}: schema: ${(e as Error).message}`));
    }
  }
  return { problems, validated, structural };
}
