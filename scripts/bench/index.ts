export {};

/**
 * `npm run bench -- <name>...`: runs the named benchmarks (all when none is named). Each writes its
 * markdown table to bench/results/<name>.md and prints it.
 */
const BENCHMARKS: Record<string, () => Promise<{ run(): Promise<string> }>> = {
  rpc: () => import("./rpc.ts"),
  http: () => import("./http.ts"),
  db: () => import("./db.ts"),
  bus: () => import("./bus.ts"),
  auth: () => import("./auth.ts"),
  scan: () => import("./scan.ts"),
  vision: () => import("./vision.ts"),
  locations: () => import("./locations.ts"),
  // The name for it.
  location: () => import("./locations.ts"),
  news: () => import("./news.ts"),
  chat: () => import("./chat.ts"),
};

const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : Object.keys(BENCHMARKS);
const unknown = names.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(BENCHMARKS).join(", ")}`,
  );
  process.exit(2);
}
for (const name of names) {
  const module = await BENCHMARKS[name]!();
  console.log(await module.run());
  console.log();
}
process.exit(0);
