import { dependencyUp } from "../metrics/registry.ts";

/** A DependencyCheck resolves when the dependency answers and throws (or rejects) when it does not. */
export type DependencyCheck = () => Promise<unknown> | unknown;

export interface ReadinessOptions {
  /** A check slower than this counts as failed. Default 2000 ms. */
  checkTimeoutMs?: number;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly detail?: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly shuttingDown: boolean;
  readonly checks: Readonly<Record<string, CheckResult>>;
}

/**
 * Readiness says whether this process should receive traffic: every registered dependency answers
 * and the process is not shutting down. Liveness is separate and never looks at dependencies.
 */
export class Readiness {
  readonly #checks = new Map<string, DependencyCheck>();
  readonly #timeoutMs: number;
  #shuttingDown = false;

  constructor(options: ReadinessOptions = {}) {
    this.#timeoutMs = options.checkTimeoutMs ?? 2000;
  }

  /** addCheck registers a dependency by name; a second check of the same name replaces the first. */
  addCheck(name: string, check: DependencyCheck): void {
    this.#checks.set(name, check);
  }

  /** markShuttingDown makes every later report not ready, whatever the dependencies say. */
  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.#checks].map(async ([name, check]) => [name, await this.#run(name, check)] as const),
    );
    const checks = Object.fromEntries(entries);
    const ready = !this.#shuttingDown && entries.every(([, result]) => result.ok);
    return { ready, shuttingDown: this.#shuttingDown, checks };
  }

  async #run(name: string, check: DependencyCheck): Promise<CheckResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(check),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.#timeoutMs} ms`)),
            this.#timeoutMs,
          );
        }),
      ]);
      dependencyUp.set({ dependency: name }, 1);
      return { ok: true };
    } catch (err) {
      dependencyUp.set({ dependency: name }, 0);
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
