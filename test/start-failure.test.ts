import { describe, expect, it } from "bun:test";
import { createServer, type Server } from "node:net";
import { addressVariable } from "../catalog/components.ts";
import { allInOneEnv, freePort, isListening, startProcess } from "./support/processes.ts";

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

const portsOf = (env: Record<string, string>) => [
  Number(env.PORT),
  ...Object.entries(env)
    .filter(([key]) => key.endsWith("_ADDR"))
    .map(([, value]) => Number(value.split(":").at(-1))),
];

async function expectStoppedWhole(
  run: ReturnType<typeof startProcess>,
  ports: number[],
  component: string,
) {
  const exit = await run.exited;
  expect(exit.code).toBe(1);
  const lines = run
    .output()
    .split("\n")
    .filter((line) => line.includes("failed to start"));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toStartWith(`eco2: component "${component}" failed to start: `);
  const open = await Promise.all(ports.map(isListening));
  expect(open.every((isOpen) => !isOpen)).toBe(true);
}

describe("the all-in-one start fails whole", () => {
  it("exits 1 with one line naming the component whose create() throws", async () => {
    const env = await allInOneEnv({ FAIL_COMPONENT: "scan" });
    const run = startProcess(["test/support/all-in-one-with-failure.ts"], env);
    await expectStoppedWhole(run, portsOf(env), "scan");
    expect(run.output()).toContain("create() refused on purpose");
  }, 30_000);

  it("exits 1 with one line naming the component whose gRPC port is taken", async () => {
    const env = await allInOneEnv();
    const taken = Number(env[addressVariable("character")]!.split(":").at(-1));
    const squatter = await occupy(taken);
    try {
      const run = startProcess(["scripts/start.ts"], env);
      const ports = portsOf(env).filter((port) => port !== taken);
      await expectStoppedWhole(run, ports, "character");
    } finally {
      squatter.close();
    }
  }, 30_000);
});

describe("a standalone component fails whole", () => {
  it("exits 1 with one line naming it when its gRPC port is taken", async () => {
    const grpc = await freePort();
    const metrics = await freePort();
    const squatter = await occupy(grpc);
    try {
      const run = startProcess(["services/my/main.ts"], {
        GRPC_PORT: String(grpc),
        METRICS_PORT: String(metrics),
        BIND_HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        DATA_DIR: `/tmp/eco2-test-${process.pid}-${grpc}`,
      });
      const exit = await run.exited;
      expect(exit.code).toBe(1);
      expect(run.output()).toContain('my: component "my" failed to start: ');
      expect(await isListening(metrics)).toBe(false);
    } finally {
      squatter.close();
    }
  }, 30_000);
});
