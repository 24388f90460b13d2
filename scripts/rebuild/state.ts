// The state file: which phases finished, and the facts later phases need (hosts, bastion,
// endpoint). A failed run leaves it behind so the next run resumes after the last good phase.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface Host {
  name: string;
  group: string;
  address: string;
}

export interface State {
  version: 1;
  env: string;
  completed: string[];
  failed?: { phase: string; at: string; message: string };
  hosts?: Host[];
  bastion?: string;
  apiUrl?: string;
  /** Steps finished inside a phase that has not completed yet (phase -> step names). */
  steps?: Record<string, string[]>;
  /** The Terraform outputs the cluster configuration is bound to (see bindings.ts). */
  outputs?: Record<string, string>;
}

export const stateFile = (stateDir: string) => join(stateDir, "state.json");

export function loadState(stateDir: string, env: string): State {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return { version: 1, env, completed: [] };
  const s = JSON.parse(readFileSync(file, "utf8")) as State;
  if (s.env !== env) throw new Error(`${file} belongs to environment ${s.env}, not ${env}`);
  return s;
}

/** Write atomically, so an interrupted run never leaves half a state file. */
export function saveState(stateDir: string, s: State): void {
  const file = stateFile(stateDir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function clearState(stateDir: string): void {
  rmSync(stateFile(stateDir), { force: true });
}
