import { type ChildProcess, spawn } from "node:child_process";
import { createConnection, createServer } from "node:net";
import { addressVariable, GRPC_COMPONENT_NAMES, RUNTIME_ENV } from "../../catalog/components.ts";

/**
 * Ports this process has handed out. The kernel may give a just-closed port again, and a caller
 * often asks for several before any child binds one (allInOneEnv asks for ten), so a port is never
 * handed out twice: two children given the same port made one fail with "port in use".
 */
const handedOut = new Set<number>();

/** freePort asks the kernel for a loopback port nobody is using right now, and no earlier caller got. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await unusedPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** isListening tells whether anything accepts connections on a loopback port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** allInOneEnv gives every component and the gateway its own free port, so runs never collide. */
export async function allInOneEnv(extra: Record<string, string> = {}) {
  const env: Record<string, string> = {
    PORT: String(await freePort()),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
    DATA_DIR: `/tmp/eco2-test-${process.pid}-${Math.random().toString(36).slice(2)}`,
  };
  for (const name of GRPC_COMPONENT_NAMES) {
    env[addressVariable(name)] = `127.0.0.1:${await freePort()}`;
  }
  return { ...env, ...extra };
}

export interface RunningProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

/**
 * startProcess runs a TypeScript entry under Bun (or Deno) with a clean environment: no data-store
 * URLs are inherited unless given, so the process runs on embedded defaults, with the runtime
 * environment our deployments give it (RUNTIME_ENV).
 */
export function startProcess(
  args: string[],
  env: Record<string, string>,
  runtime: "bun" | "deno" = "bun",
): RunningProcess {
  const { DATABASE_URL, REDIS_URL, AMQP_URL, ...inherited } = process.env;
  void DATABASE_URL;
  void REDIS_URL;
  void AMQP_URL;
  const command = runtime === "bun" ? process.execPath : "node_modules/.bin/deno";
  const child = spawn(command, runtime === "bun" ? args : ["run", "-A", ...args], {
    env: { ...inherited, ...RUNTIME_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>(
    (resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal, atMs: performance.now() })),
  );
  return { child, output: () => output, exited };
}

/**
 * stopProcess stops a process the way its platform does (SIGTERM: it drains, acknowledges what it
 * consumed and closes), and kills it if it has not exited within `graceMs`. A SIGKILL right after
 * a test's last answer can cut a consumer between its last event and its ack, which leaves the
 * message on the shared broker for the next run's consumer.
 */
export async function stopProcess(running: RunningProcess | undefined, graceMs = 10_000) {
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill("SIGTERM");
  const kill = setTimeout(() => running.child.kill("SIGKILL"), graceMs);
  await running.exited;
  clearTimeout(kill);
}

/** waitFor polls until check passes or the time runs out, then throws with what it last saw. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  while (performance.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
}

/**
 * waitUntilReady waits for `url` to answer 200 from a started system. If the process exits first
 * (a port taken between allocation and bind, a bad setting) it fails at once, and on a timeout
 * too, with the tail of the process's output, so a failed start says why.
 */
export async function waitUntilReady(
  system: RunningProcess,
  url: string,
  timeoutMs: number,
): Promise<void> {
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void system.exited.then((how) => {
    exited = how;
  });
  const deadline = performance.now() + timeoutMs;
  while (!exited && performance.now() < deadline) {
    if ((await fetch(url).catch(() => undefined))?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const why = exited ? `exited (${exited.code ?? exited.signal})` : `not ready in ${timeoutMs} ms`;
  throw new Error(`${url}: ${why}; output:\n${system.output().slice(-4000)}`);
}
