// Shared result types of the infra check: every step reports problems that name a file.

export type Status = "pass" | "fail" | "skipped";

export interface Problem {
  /** Repository-relative path of the file to fix. */
  file: string;
  message: string;
}

export interface StepResult {
  step: string;
  status: Status;
  problems: Problem[];
  /** What was checked (or why it was skipped), for the report. */
  notes: string[];
  ms: number;
}

export interface CheckOptions {
  /** Run only these steps (names from STEPS); all when empty. */
  only?: string[];
  /** Install missing apt tools (ansible, ansible-lint, yamllint, promtool) when possible. */
  install?: boolean;
  /** Log progress lines. */
  log?: (line: string) => void;
}

export function problem(file: string, message: string): Problem {
  return { file, message };
}
