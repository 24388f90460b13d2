// scripts/rebuild.ts against stand-in terraform/ansible-playbook/kubectl/ssh (see standins.ts):
// phase order, dry-run, resume after an ansible failure, SSH-wait timeout, plan review before
// apply, Terraform outputs reaching the cluster configuration, live output, destroy, and an
// exit code and message for each kind of failure. The smoke phase talks to a loopback server.
// Every test passes its own timeout: bun 1.4.5 ignores bunfig.toml's [test] timeout.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applicationsJson, makeSandbox, type Sandbox } from "./standins.ts";

const ROOT = join(import.meta.dir, "..", "..");
const SCRIPT = join(ROOT, "scripts", "rebuild.ts");
const APPS = readdirSync(join(ROOT, "infra/k8s/overlays/prod"))
  .filter((n) => statSync(join(ROOT, "infra/k8s/overlays/prod", n)).isDirectory())
  .map((n) => `${n}-prod`);

let status = 200;
const seen: string[] = [];
let server: ReturnType<typeof Bun.serve>;
const sandboxes: Sandbox[] = [];
const T = 30_000;

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => {
      seen.push(new URL(req.url).pathname);
      return new Response("ok", { status });
    },
  });
}, T);

afterAll(() => {
  server.stop(true);
  for (const s of sandboxes) rmSync(s.dir, { recursive: true, force: true });
}, T);

function sandbox(): Sandbox {
  const s = makeSandbox(`http://127.0.0.1:${server.port}`, APPS);
  sandboxes.push(s);
  return s;
}

/** stdin answers the apply prompt by default, as an operator reviewing the plan would. */
async function rebuild(
  s: Sandbox,
  args: string[],
  env: Record<string, string> = {},
  stdin = "apply prod\n",
) {
  const proc = Bun.spawn([process.execPath, SCRIPT, ...args], {
    cwd: ROOT,
    env: { ...s.env, ...env },
    stdin: new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, out: stdout + stderr };
}

const calls = (s: Sandbox) =>
  existsSync(s.log) ? readFileSync(s.log, "utf8").trim().split("\n").filter(Boolean) : [];
const firstIndex = (lines: string[], re: RegExp) => lines.findIndex((l) => re.test(l));
const state = (s: Sandbox) => JSON.parse(readFileSync(join(s.stateDir, "state.json"), "utf8"));

describe("rebuild", () => {
  it(
    "runs the nine phases in order and reaches the public endpoint",
    async () => {
      const s = sandbox();
      seen.length = 0;
      status = 200;
      const r = await rebuild(s, []);
      expect(r.code).toBe(0);
      const order = [
        /^terraform version/,
        /^terraform .* init /,
        /^terraform .* plan /,
        /^terraform .* apply /,
        /^terraform .* output -raw ansible_inventory/,
        /^ssh .* true$/,
        /^ansible-playbook .*site\.yml/,
        /^ssh .*admin\.conf/,
        /^kubectl .* get nodes/,
        /^kubectl .* apply -f .*namespaces\.yaml/,
        /^kubectl .* kustomize /,
        /^kubectl .* get applications/,
      ];
      const lines = calls(s);
      const positions = order.map((re) => firstIndex(lines, re));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(lines.filter((l) => /^ssh .* true$/.test(l))).toHaveLength(3);
      expect(seen).toEqual(["/healthz", "/readyz"]);
      // Progress lines appear for each phase, in order.
      const done = [...r.out.matchAll(/\[(\d)\/9\] (\w+) done in/g)].map((m) => m[2]);
      expect(done).toEqual([
        "preflight",
        "terraform",
        "inventory",
        "ssh",
        "ansible",
        "kubeconfig",
        "argocd",
        "apps",
        "smoke",
      ]);
      expect(state(s).completed).toHaveLength(9);
      // The ApplicationSet was applied with Terraform's target group ARN, and secrets travelled on stdin only.
      const applied = readdirSync(s.dir)
        .filter((f) => f.startsWith("applied-"))
        .map((f) => readFileSync(join(s.dir, f), "utf8"));
      expect(
        applied.some(
          (a) =>
            a.includes("targetgroup/eco2-prod-gateway/abc") &&
            !a.includes("GATEWAY_TARGET_GROUP_ARN"),
        ),
      ).toBe(true);
      expect(applied.some((a) => a.includes('"eco2-data-credentials"'))).toBe(true);
      // Every Terraform-decided value reached the ApplicationSet, and no token is left.
      const set = applied.find((a) => a.includes("kind: ApplicationSet")) ?? "";
      expect(set).toContain("eco2-prod-images-20261128abcdef");
      expect(set).toContain("https://images.eco2.example.com");
      expect(set).not.toMatch(/TF_[A-Z_]+|GATEWAY_TARGET_GROUP_ARN/);
      // The pull secret for the private images, in both app namespaces.
      expect(applied.some((a) => a.includes('"type":"kubernetes.io/dockerconfigjson"'))).toBe(true);
      // The Alertmanager URL travelled in a 0600 extra-vars file, not on the command line.
      const ansibleCall = calls(s).find((l) => /^ansible-playbook .*site\.yml/.test(l)) ?? "";
      expect(ansibleCall).toContain(`-e @${join(s.stateDir, "ansible-extra-vars.json")}`);
      expect(ansibleCall).not.toContain("sekrit-hook");
      expect(statSync(join(s.stateDir, "ansible-extra-vars.json")).mode & 0o077).toBe(0);
      // Long commands stream to the terminal as they run, and into their phase log.
      expect(r.out).toContain("│ PLAY RECAP: stand-in ok");
      expect(r.out).toContain("│ Plan: 97 to add");
      expect(readFileSync(join(s.stateDir, "logs", "05-ansible.log"), "utf8")).toContain(
        "PLAY RECAP: stand-in ok",
      );
      const logs = readdirSync(join(s.stateDir, "logs"))
        .map((f) => readFileSync(join(s.stateDir, "logs", f), "utf8"))
        .join("\n");
      expect(logs).not.toContain("sekrit-jwk");
      expect(logs).not.toContain("sekrit-hook");
      expect(logs).not.toContain("sekrit-ghcr-token");
      expect(r.out).not.toContain("sekrit");
      expect(logs).not.toContain(Buffer.from("sekrit-jwk").toString("base64"));
    },
    T,
  );

  it(
    "--dry-run prints every phase and runs nothing",
    async () => {
      const s = sandbox();
      const r = await rebuild(s, ["--dry-run"]);
      expect(r.code).toBe(0);
      for (const id of [
        "preflight",
        "terraform",
        "inventory",
        "ssh",
        "ansible",
        "kubeconfig",
        "argocd",
        "apps",
        "smoke",
      ]) {
        expect(r.out).toContain(`: ${id}:`.slice(2));
      }
      expect(r.out).toContain("terraform -chdir=");
      // The Terraform outputs and where each lands in the cluster configuration.
      expect(r.out).toContain(
        "terraform output -raw images_bucket → TF_IMAGES_BUCKET → ConfigMap eco2-config S3_BUCKET",
      );
      expect(r.out).toContain(
        "terraform output -raw gateway_target_group_arn → GATEWAY_TARGET_GROUP_ARN → TargetGroupBinding gateway /spec/targetGroupARN",
      );
      expect(r.out).toContain('(asks you to type "apply prod", always)');
      expect(calls(s)).toEqual([]);
      expect(existsSync(join(s.stateDir, "state.json"))).toBe(false);
    },
    T,
  );

  it(
    "resumes after an ansible failure without re-running phases 1-4",
    async () => {
      const s = sandbox();
      const failed = await rebuild(s, [], { STANDIN_FAIL: "ansible-playbook" });
      expect(failed.code).toBe(14);
      expect(failed.out).toContain("ansible FAILED");
      expect(failed.out).toContain("stand-in ansible-playbook: failing on demand");
      expect(failed.out).toContain("resume with: npm run rebuild -- --env prod --from ansible");
      expect(state(s).completed).toEqual(["preflight", "terraform", "inventory", "ssh"]);
      expect(state(s).failed.phase).toBe("ansible");

      rmSync(s.log);
      const resumed = await rebuild(s, []);
      expect(resumed.code).toBe(0);
      expect(resumed.out).toContain("resuming at ansible");
      const lines = calls(s);
      expect(lines[0]).toMatch(/^ansible-playbook /);
      expect(lines.some((l) => l.startsWith("terraform"))).toBe(false);
      expect(lines.some((l) => /^ssh .* true$/.test(l))).toBe(false);
      expect(state(s).failed).toBeUndefined();
    },
    T,
  );

  it(
    "resumes inside the argocd phase after the steps a failed run finished",
    async () => {
      const s = sandbox();
      const failed = await rebuild(s, [], { STANDIN_FAIL_ARGS: "rollout status" });
      expect(failed.code).toBe(16);
      expect(state(s).steps).toEqual({ argocd: ["namespaces", "secrets"] });
      rmSync(s.log);
      const resumed = await rebuild(s, []);
      expect(resumed.code).toBe(0);
      expect(resumed.out).toContain("(secrets: done by the previous run)");
      const lines = calls(s);
      expect(lines[0]).toMatch(/^kubectl .* rollout status /);
      expect(lines.some((l) => l.includes("namespaces.yaml"))).toBe(false);
      expect(state(s).steps).toEqual({});
    },
    T,
  );

  it(
    "gives up waiting for SSH at the timeout and names the unreachable nodes",
    async () => {
      const s = sandbox();
      const t0 = Date.now();
      const r = await rebuild(s, [], { STANDIN_FAIL: "ssh", ECO2_SSH_TIMEOUT_S: "1" });
      expect(r.code).toBe(13);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.out).toContain(
        "SSH did not answer within 1s on 3 node(s): api-auth, control-plane, infra-redis",
      );
      expect(r.out).toContain("resume with: npm run rebuild -- --env prod --from ssh");
      // Polled repeatedly, in parallel, and private nodes went through the bastion.
      const attempts = calls(s).filter((l) => /^ssh .* true$/.test(l));
      expect(attempts.length).toBeGreaterThan(3);
      expect(attempts.some((l) => l.includes("-J ubuntu@198.51.100.7 ubuntu@10.40.100.11"))).toBe(
        true,
      );
      expect(
        calls(s).some((l) => l.startsWith("ansible-playbook") && !l.includes("--version")),
      ).toBe(false);
    },
    T,
  );

  it(
    "--only runs exactly one phase",
    async () => {
      const s = sandbox();
      const r = await rebuild(s, ["--only", "terraform"]);
      expect(r.code).toBe(0);
      const lines = calls(s);
      expect(lines.every((l) => l.startsWith("terraform"))).toBe(true);
      expect(lines).toHaveLength(3);
    },
    T,
  );

  it(
    "shows the plan and applies nothing unless the operator types the phrase",
    async () => {
      const s = sandbox();
      const r = await rebuild(s, ["--only", "terraform"], {}, "yes\n");
      expect(r.code).toBe(3);
      expect(r.out).toContain("│ Plan: 97 to add");
      expect(r.out).toContain('Type "apply prod" to apply it');
      expect(r.out).toContain("was not confirmed; nothing was applied");
      expect(calls(s).some((l) => / apply /.test(l))).toBe(false);
    },
    T,
  );

  it(
    "--yes skips the question for dev but never for prod",
    async () => {
      const dev = sandbox();
      const d = await rebuild(dev, ["--env", "dev", "--only", "terraform", "--yes"], {}, "");
      expect(d.code).toBe(0);
      expect(calls(dev).some((l) => / apply /.test(l))).toBe(true);
      const prod = sandbox();
      const p = await rebuild(prod, ["--only", "terraform", "--yes"], {}, "");
      expect(p.code).toBe(3);
      expect(p.out).toContain("--yes does not apply to prod");
      expect(calls(prod).some((l) => / apply /.test(l))).toBe(false);
    },
    T,
  );

  it(
    "--help documents inputs, environment, exit codes and the state directory",
    async () => {
      const r = await rebuild(sandbox(), ["--help"]);
      expect(r.code).toBe(0);
      for (const text of [
        "--yes",
        "--delete-volumes",
        "AWS_PROFILE",
        "ECO2_SECRETS_FILE",
        "ALERT_WEBHOOK_URL",
        "REGISTRY_TOKEN",
        "ECO2_REBUILD_DIR",
        "Exit codes",
        "3 not confirmed",
        "ansible     14",
        "State directory",
      ])
        expect(r.out).toContain(text);
    },
    T,
  );
});

describe("rebuild failures: exit code and message per cause", () => {
  const cases: {
    name: string;
    env?: Record<string, string>;
    args?: string[];
    prep?: (s: Sandbox) => void;
    code: number;
    says: string[];
  }[] = [
    {
      name: "bad usage",
      args: ["--from", "nowhere"],
      code: 2,
      says: ["--from nowhere: unknown phase"],
    },
    {
      name: "preflight problems are listed together",
      prep: (s) => writeFileSync(s.env.ECO2_SECRETS_FILE!, "DATABASE_URL=x\n"),
      env: { AWS_PROFILE: "" },
      code: 10,
      says: [
        "no AWS credentials",
        "lacks REDIS_URL",
        "resume with: npm run rebuild -- --env prod --from preflight",
      ],
    },
    {
      name: "terraform",
      env: { STANDIN_FAIL: "terraform" },
      code: 11,
      says: ["terraform FAILED", "command: terraform -chdir=", " init ", "--from terraform"],
    },
    {
      name: "kubectl (kubeconfig check)",
      env: { STANDIN_FAIL: "kubectl" },
      code: 15,
      says: ["kubeconfig FAILED", "get nodes", "--from kubeconfig"],
    },
    {
      name: "applications never healthy",
      prep: (s) => writeFileSync(s.env.STANDIN_APPS_JSON!, applicationsJson(APPS.slice(1))),
      env: { ECO2_APPS_TIMEOUT_S: "0.3" },
      code: 17,
      says: [`${APPS[0]} (missing)`, "--from apps"],
    },
  ];
  for (const c of cases) {
    it(
      c.name,
      async () => {
        const s = sandbox();
        c.prep?.(s);
        const r = await rebuild(s, c.args ?? [], c.env);
        expect(r.code).toBe(c.code);
        for (const text of c.says) expect(r.out).toContain(text);
      },
      T,
    );
  }

  it(
    "smoke test failing through the endpoint",
    async () => {
      const s = sandbox();
      status = 503;
      try {
        const r = await rebuild(s, [], { ECO2_SMOKE_TIMEOUT_S: "0" });
        expect(r.code).toBe(18);
        expect(r.out).toContain("is not healthy: /healthz answered 503");
      } finally {
        status = 200;
      }
    },
    T,
  );

  it(
    "--destroy without the confirmation phrase destroys nothing",
    async () => {
      const s = sandbox();
      const r = await rebuild(s, ["--destroy"], {}, "yes\n");
      expect(r.code).toBe(3);
      expect(r.out).toContain("aborted");
      expect(calls(s)).toEqual([]);
    },
    T,
  );

  it(
    "--destroy with the confirmation runs terraform destroy, lists leftover volumes and clears the state",
    async () => {
      const s = sandbox();
      await rebuild(s, ["--only", "preflight"]);
      expect(existsSync(join(s.stateDir, "state.json"))).toBe(true);
      const r = await rebuild(s, ["--destroy"], {}, "destroy prod\n");
      expect(r.code).toBe(0);
      expect(calls(s).some((l) => /^terraform .* destroy -auto-approve/.test(l))).toBe(true);
      expect(r.out).toContain("2 data volume(s) left by Retain claims: vol-0aaa1111, vol-0bbb2222");
      expect(r.out).toContain(
        "aws ec2 delete-volume --region ap-northeast-2 --volume-id vol-0aaa1111",
      );
      expect(calls(s).some((l) => l.includes("delete-volume"))).toBe(false);
      expect(existsSync(join(s.stateDir, "state.json"))).toBe(false);
    },
    T,
  );

  it(
    "--destroy --delete-volumes deletes the volumes Retain claims left",
    async () => {
      const s = sandbox();
      const r = await rebuild(s, ["--destroy", "--delete-volumes"], {}, "destroy prod\n");
      expect(r.code).toBe(0);
      const deletes = calls(s).filter((l) => l.startsWith("aws ec2 delete-volume"));
      expect(deletes).toHaveLength(2);
      expect(r.out).toContain("deleted 2 volume(s)");
    },
    T,
  );
});
