// Runs one external command through zx. Its output streams live, line by line, to the terminal
// (indented under the phase) and to the phase's log file, so a 20-minute ansible run shows
// progress. A non-zero exit becomes a CommandError that carries the exact command.
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
  /** Show the output on the terminal as it comes (default: unless allowFailure, i.e. polls). */
  stream?: boolean;
  /** stdout holds a secret (a kubeconfig): neither logged nor shown. */
  secretOutput?: boolean;
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
export const commandLine = (cmd: string, args: string[]) => [cmd, ...args].map(quote).join(" ");

/** Where streamed lines go besides the log (the CLI passes console output; tests may too). */
export type Echo = (line: string) => void;

export class Shell {
  constructor(
    private logFile: string,
    private echo: Echo = () => {},
  ) {}

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
    const stream = opts.stream ?? !opts.allowFailure;
    const p = $({
      nothrow: true,
      quiet: true,
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      input: opts.input,
      timeout: opts.timeoutMs,
    })`${cmd} ${args}`;
    const follow = (which: "stdout" | "stderr") => {
      if (which === "stdout" && opts.secretOutput) return;
      let partial = "";
      p[which].on("data", (chunk: Buffer | string) => {
        const lines = (partial + chunk.toString()).split("\n");
        partial = lines.pop() ?? "";
        for (const l of lines) this.emit(l, stream);
      });
      p[which].on("end", () => {
        if (partial) this.emit(partial, stream);
      });
    };
    follow("stdout");
    follow("stderr");
    const done = await p;
    const code = done.exitCode ?? 1;
    this.log(`# exit ${code}`);
    if (code !== 0 && !opts.allowFailure) {
      throw new CommandError(
        line,
        code,
        (done.stderr || (opts.secretOutput ? "" : done.stdout))
          .trim()
          .split("\n")
          .slice(-5)
          .join("\n"),
      );
    }
    return { code, stdout: done.stdout, stderr: done.stderr };
  }

  private emit(line: string, stream: boolean): void {
    this.log(line);
    if (stream) this.echo(`      │ ${line}`);
  }
}
