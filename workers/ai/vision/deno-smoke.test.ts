import { expect, it } from "bun:test";
import { spawn } from "node:child_process";

// The vision stage is runtime-neutral: TF.js WASM, sharp's Node-API addon and the model read from
// node_modules must work under Deno as under Bun.
it("the embedded vision stage runs under deno", async () => {
  const child = spawn(
    "node_modules/.bin/deno",
    ["run", "-A", "workers/ai/vision/vision-smoke.ts"],
    {
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(output).toContain("vision ok");
  expect(code).toBe(0);
}, 60_000);
