import type { Logger } from "../log/create-logger.ts";

/**
 * The phases of a graceful stop, run in this order. Every hook of a phase runs concurrently, and a
 * phase starts only when the previous one has finished:
 * - `stop-accepting`: refuse new connections, requests and deliveries;
 * - `drain`: wait for in-flight requests and messages to finish;
 * - `close`: close pools and connections.
 */
export type ShutdownPhase = "stop-accepting" | "drain" | "close";
const PHASES: readonly ShutdownPhase[] = ["stop-accepting", "drain", "close"];

export interface ShutdownHook {
  readonly name: string;
  readonly phase: ShutdownPhase;
  readonly run: () => Promise<unknown> | unknown;
}

export interface GracefulShutdownOptions {
  /** How long all phases together may take before the process exits 1. Default 10000 ms. */
  deadlineMs?: number;
  log: Logger;
  /** Called first, so readiness turns false before anything stops. */
  onBegin?: () => void;
  /** Ends the process; tests replace it. Default `process.exit`. */
  exit?: (code: number) => void;
}

/**
 * GracefulShutdown stops a process on SIGTERM or SIGINT: readiness goes false, new work stops,
 * in-flight work drains within the deadline, then the process exits 0. A hook that throws or a
 * deadline that passes makes the exit code 1, so an orchestrator sees the unclean stop.
 */
export class GracefulShutdown {
  #failed = false;
  readonly #hooks: ShutdownHook[] = [];
  readonly #beginListeners: (() => void)[] = [];
  readonly #options: Required<Omit<GracefulShutdownOptions, "onBegin">> &
    Pick<GracefulShutdownOptions, "onBegin">;
  #stopping: Promise<number> | undefined;

  constructor(options: GracefulShutdownOptions) {
    this.#options = {
      deadlineMs: options.deadlineMs ?? 10_000,
      log: options.log,
      onBegin: options.onBegin,
      exit: options.exit ?? ((code) => process.exit(code)),
    };
  }

  add(hook: ShutdownHook): void {
    this.#hooks.push(hook);
  }

  /** whenStopping runs fn first thing when the stop begins, e.g. to turn a readiness false. */
  whenStopping(fn: () => void): void {
    this.#beginListeners.push(fn);
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /** listen installs the signal handlers; a second signal while stopping is ignored. */
  listen(signals: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"]): void {
    for (const signal of signals) {
      process.on(signal, () => {
        this.#options.log.info({ signal }, "shutdown requested");
        void this.stop();
      });
    }
  }

  /** fail stops like stop() but always exits non-zero: the process cannot do its job. */
  fail(): Promise<number> {
    this.#failed = true;
    return this.stop();
  }

  /** stop runs the phases once and exits; repeated calls share the first run. */
  stop(): Promise<number> {
    this.#stopping ??= this.#run();
    return this.#stopping;
  }

  async #run(): Promise<number> {
    const { log, deadlineMs, exit } = this.#options;
    const started = performance.now();
    this.#options.onBegin?.();
    for (const listener of this.#beginListeners) listener();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        log.error({ deadline_ms: deadlineMs }, "shutdown deadline passed; exiting with work left");
        resolve(1);
      }, deadlineMs);
    });
    const code = Math.max(await Promise.race([this.#runPhases(), deadline]), this.#failed ? 1 : 0);
    clearTimeout(timer);
    log.info({ code, elapsed_ms: Math.round(performance.now() - started) }, "shutdown complete");
    exit(code);
    return code;
  }

  async #runPhases(): Promise<number> {
    let code = 0;
    for (const phase of PHASES) {
      const hooks = this.#hooks.filter((hook) => hook.phase === phase);
      const results = await Promise.allSettled(hooks.map(async (hook) => hook.run()));
      results.forEach((result, i) => {
        if (result.status === "rejected") {
          code = 1;
          this.#options.log.error(
            { err: result.reason, hook: hooks[i]?.name, phase },
            "shutdown hook failed",
          );
        }
      });
    }
    return code;
  }
}
