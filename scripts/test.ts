/**
 * The README's test command (`npm test`): points the suites at the real servers on loopback when
 * they answer and no URL was given, runs `bun test`, and ends with the plain closing line
 * `N passed, N failed` that CI reads (bun prints its own counts on separate lines, to stderr).
 */
import { spawn } from "node:child_process";
import { createConnection } from "node:net";

const DEFAULTS = [
  { variable: "DATABASE_URL", url: "postgres://postgres@127.0.0.1:5432/test", port: 5432 },
  { variable: "REDIS_URL", url: "redis://127.0.0.1:6379", port: 6379 },
  { variable: "AMQP_URL", url: "amqp://guest:guest@127.0.0.1:5672", port: 5672 },
];

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port, timeout: 500 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const env = { ...process.env };
for (const server of DEFAULTS) {
  if (!env[server.variable] && (await answers(server.port))) env[server.variable] = server.url;
  console.log(`${server.variable}=${env[server.variable] ?? "(unset: real-server suites skip)"}`);
}

const child = spawn(process.execPath, ["test", ...process.argv.slice(2)], {
  env,
  stdio: ["ignore", "inherit", "pipe"],
});
let output = "";
child.stderr.on("data", (chunk: Buffer) => {
  process.stderr.write(chunk);
  output += chunk.toString();
});
const code: number = await new Promise((resolve) => child.on("close", (c) => resolve(c ?? 1)));
const count = (word: string) => {
  const matches = [...output.matchAll(new RegExp(`^ (\\d+) ${word}$`, "gm"))];
  return matches.length > 0 ? Number(matches.at(-1)![1]) : 0;
};
const failed = count("fail") + (code !== 0 && count("fail") === 0 ? 1 : 0);
console.log(`${count("pass")} passed, ${failed} failed, ${count("skip")} skipped`);
process.exit(code);
