// Runs one external command through zx, appending the command line and its output to the
// phase's log file. A non-zero exit becomes a CommandError that carries the exact command.
import { appendFileSync } from "node:fs";
import { $ } from "zx";

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly output: string,
  ) {
    super(`\`${command}\` exited with ${exitCode}`);
  }
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
  /** Do not throw on failure (callers that poll). */
  allowFailure?: boolean;
  /** Kill the command after this long. */
  timeoutMs?: number;
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
export const commandLine = (cmd: string, args: string[]) => [cmd, ...args].map(quote).join(" ");

export class Shell {
  constructor(private logFile: string) {}

  setLog(file: string): void {
    this.logFile = file;
  }

  log(line: string): void {
    appendFileSync(this.logFile, `${line}\n`);
  }

  async run(
    cmd: string,
    args: string[],
    opts: RunOptions = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const line = opts.cwd
      ? `(cd ${commandLine(opts.cwd, [])} && ${commandLine(cmd, args)})`
      : commandLine(cmd, args);
    this.log(`$ ${line}`);
    const p = await $({
      nothrow: true,
      quiet: true,
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      input: opts.input,
      timeout: opts.timeoutMs,
    })`${cmd} ${args}`;
    const code = p.exitCode ?? 1;
    if (p.stdout) this.log(p.stdout.trimEnd());
    if (p.stderr) this.log(p.stderr.trimEnd());
    this.log(`# exit ${code}`);
    if (code !== 0 && !opts.allowFailure) {
      throw new CommandError(
        line,
        code,
        (p.stderr || p.stdout).trim().split("\n").slice(-5).join("\n"),
      );
    }
    return { code, stdout: p.stdout, stderr: p.stderr };
  }
}
