import { expect, it } from "bun:test";
import { spawn } from "node:child_process";

// lib/db, lib/cache and lib/storage are runtime-neutral: the same smoke run must pass under Deno
// (PGlite through the wire server, both caches, the local object store).
it("the data layer runs under deno", async () => {
  const child = spawn("node_modules/.bin/deno", ["run", "-A", "test/support/data-layer-smoke.ts"], {
    env: process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(output).toContain("data-layer ok");
  expect(code).toBe(0);
}, 60_000);
