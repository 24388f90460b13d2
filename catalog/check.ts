// Checks that the code and the catalog agree: every peer client the code asks for is declared,
// and every fact the catalog states is consistent with itself.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { processConfigSpecs } from "../lib/process/process-config.ts";
import {
  CATALOG,
  COMPONENT_NAMES,
  type ComponentName,
  GRPC_COMPONENT_NAMES,
  isWorker,
} from "./components.ts";

export interface SourceFile {
  readonly component: ComponentName;
  readonly path: string;
  readonly text: string;
}

export interface UndeclaredCall {
  readonly component: ComponentName;
  readonly peer: string;
  readonly path: string;
}

/**
 * A peer client is asked for by name: `context.client("character", CharacterService)` in a
 * component, `peers.client("auth", AuthService)` in the gateway. The runtime guard refuses an
 * undeclared one; this finds it without running anything.
 */
const PEER_CALL = /\bclient\(\s*["'`](\w+)["'`]/g;

export function peersCalledIn(text: string): string[] {
  return [...text.matchAll(PEER_CALL)].map((match) => match[1]!);
}

/** undeclaredCalls lists each peer a component's code calls that its catalog entry omits. */
export function undeclaredCalls(files: readonly SourceFile[]): UndeclaredCall[] {
  return files.flatMap((file) => {
    const declared: readonly string[] = CATALOG[file.component].calls;
    return peersCalledIn(file.text)
      .filter((peer) => !declared.includes(peer))
      .map((peer) => ({ component: file.component, peer, path: file.path }));
  });
}

/** componentFolder is where a component's own code lives. */
export function componentFolder(name: ComponentName): string {
  if (name === "gateway") return "gateway";
  return `${isWorker(name) ? "workers" : "services"}/${name}`;
}

/** componentSources reads every non-test TypeScript file of every component under root. */
export function componentSources(root: string): SourceFile[] {
  return COMPONENT_NAMES.flatMap((component) =>
    typeScriptFiles(join(root, componentFolder(component))).map((path) => ({
      component,
      path: relative(root, path),
      text: readFileSync(path, "utf8"),
    })),
  );
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return entry.endsWith(".ts") && !entry.endsWith(".test.ts") ? [path] : [];
  });
}

/** catalogProblems lists facts of the catalog that contradict each other, one line each. */
export function catalogProblems(): string[] {
  const problems: string[] = [];
  const ports = new Map<number, string>();
  const schemas = new Map<string, string>();
  for (const name of COMPONENT_NAMES) {
    const entry = CATALOG[name];
    const settings = { ...processConfigSpecs, ...entry.settings };
    for (const peer of entry.calls) {
      if (peer === name) problems.push(`${name} declares a call to itself`);
    }
    for (const secret of entry.secrets) {
      if (!(secret in settings))
        problems.push(`${name}'s secret ${secret} is not a setting it reads`);
    }
    if ((entry.grpcPort === null) !== (entry.kind === "gateway")) {
      problems.push(`${name}: only the gateway has no gRPC port`);
    }
    if (entry.grpcPort !== null) claim(ports, entry.grpcPort, name, "gRPC port", problems);
    if (entry.schema !== null) claim(schemas, entry.schema, name, "schema", problems);
  }
  const served = new Set<string>(GRPC_COMPONENT_NAMES);
  for (const name of COMPONENT_NAMES) {
    for (const peer of CATALOG[name].calls) {
      if (!served.has(peer)) problems.push(`${name} calls ${peer}, which serves no gRPC`);
    }
  }
  return problems;
}

function claim<K>(owners: Map<K, string>, key: K, name: string, what: string, problems: string[]) {
  const owner = owners.get(key);
  if (owner) problems.push(`${name} and ${owner} share the ${what} ${String(key)}`);
  owners.set(key, name);
}
