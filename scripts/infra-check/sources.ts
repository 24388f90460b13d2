// Maps Kubernetes objects back to the YAML file that declares them, so a problem found in a
// rendered overlay names the file to edit rather than the overlay.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";

export type K8sObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
};

export function objectKey(o: K8sObject): string {
  return `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
}

export function describe(o: K8sObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : "";
  return `${o.kind} ${ns}${o.metadata?.name}`;
}

export function walkFiles(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkFiles(p, pattern));
    else if (pattern.test(name)) out.push(p);
  }
  return out;
}

export function parseYamlDocs(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null && d !== undefined);
}

export class SourceIndex {
  private readonly byKey = new Map<string, string>();

  constructor(readonly root: string) {
    for (const dir of ["infra/k8s/base", "infra/monitoring", "infra/argocd"]) {
      for (const file of walkFiles(join(root, dir), /\.ya?ml$/)) {
        if (/kustomization\.ya?ml$/.test(file) || file.includes("/tests/")) continue;
        let docs: unknown[];
        try {
          docs = parseYamlDocs(readFileSync(file, "utf8"));
        } catch {
          continue; // reported by the build step
        }
        for (const d of docs) {
          const o = d as K8sObject;
          if (o?.kind && o.metadata?.name) this.byKey.set(objectKey(o), relative(root, file));
        }
      }
    }
  }

  /** The declaring file, or `fallback` (e.g. the overlay) when a generator made the object. */
  fileOf(o: K8sObject, fallback: string): string {
    return (
      this.byKey.get(objectKey(o)) ?? this.byKey.get(`${o.kind}//${o.metadata?.name}`) ?? fallback
    );
  }
}
