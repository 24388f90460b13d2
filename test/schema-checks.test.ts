import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The CI schema checks, run against a scratch repository holding a copy of our schemas: a .proto
// edited without regenerating, and a removed field, must each fail.
const root = join(import.meta.dirname, "..");
const PATH = `${join(root, "node_modules", ".bin")}:${process.env.PATH}`;
const SCAN_PROTO = "proto/eco2/scan/v1/scan.proto";

let scratch: string;

function git(...args: string[]) {
  execFileSync("git", args, { cwd: scratch, stdio: "pipe" });
}

function check(name: "lint" | "breaking" | "fresh") {
  return spawnSync(join(root, "scripts", "check-schemas.sh"), [name], {
    cwd: scratch,
    env: { ...process.env, PATH },
    encoding: "utf8",
  });
}

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "eco2-schemas-"));
  for (const entry of ["proto", "gen", "buf.yaml", "buf.gen.yaml"]) {
    cpSync(join(root, entry), join(scratch, entry), { recursive: true });
  }
  git("init", "-q", "-b", "main");
  git("-c", "user.email=ci@eco2.local", "-c", "user.name=ci", "add", ".");
  git("-c", "user.email=ci@eco2.local", "-c", "user.name=ci", "commit", "-qm", "schemas");
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function editScanProto(edit: (text: string) => string) {
  const path = join(scratch, SCAN_PROTO);
  writeFileSync(path, edit(readFileSync(path, "utf8")));
}

describe("schema checks", () => {
  it("pass on the committed schemas", () => {
    expect(check("lint").status).toBe(0);
    expect(check("fresh").status).toBe(0);
    expect(check("breaking").status).toBe(0);
  }, 60_000);

  it("fail when a .proto changes without regenerating gen/", () => {
    editScanProto((text) =>
      text.replace(
        "  string idempotency_key = 4;\n",
        "  string idempotency_key = 4;\n  string locale = 5;\n",
      ),
    );
    const result = check("fresh");
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain("gen/ is stale");
  }, 60_000);

  it("fail when a commit removes a field", () => {
    editScanProto((text) => text.replace("  string user_input = 2;\n", "  reserved 2;\n"));
    git(
      "-c",
      "user.email=ci@eco2.local",
      "-c",
      "user.name=ci",
      "commit",
      "-qam",
      "drop user_input",
    );
    const result = check("breaking");
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain("SubmitScanRequest");
  }, 60_000);
});
