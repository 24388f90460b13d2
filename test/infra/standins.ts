// Stand-in `terraform`, `ansible-playbook`, `kubectl`, `ssh` and `aws` for the rebuild tests. Each is a
// small sh script placed first on PATH that appends its argv to $STANDIN_LOG, prints canned
// output where the rebuild reads some, and fails on demand when its name is in $STANDIN_FAIL
// (version queries excepted, so preflight still passes). Nothing here opens a socket.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Sandbox {
  dir: string;
  bin: string;
  log: string;
  stateDir: string;
  env: Record<string, string>;
}

const COMMON = `
printf '%s\\n' "$(basename "$0") $*" >> "$STANDIN_LOG"
fail_on_demand() {
  case " $STANDIN_FAIL " in *" $(basename "$0") "*)
    echo "stand-in $(basename "$0"): failing on demand" >&2; exit 2;;
  esac
  if [ -n "$STANDIN_FAIL_ARGS" ]; then
    case "$*" in *"$STANDIN_FAIL_ARGS"*)
      echo "stand-in $(basename "$0"): failing on demand for $STANDIN_FAIL_ARGS" >&2; exit 2;;
    esac
  fi
}
`;

const TERRAFORM = `#!/bin/sh
${COMMON}
case "$*" in *version*) echo "Terraform v1.11.4"; exit 0;; esac
fail_on_demand "$@"
case "$*" in
  *"output -raw ansible_inventory"*) echo "all: {children: {control_plane: {hosts: {control-plane: {}}}}}";;
  *"output -json inventory"*) cat <<'JSON'
{"control_plane":{"control-plane":{"ansible_host":"198.51.100.7"}},
 "api":{"api-auth":{"ansible_host":"10.40.100.11"}},
 "infra":{"infra-redis":{"ansible_host":"10.40.100.34"}}}
JSON
  ;;
  *"output -raw bastion_public_ip"*) printf '198.51.100.7';;
  *"output -raw api_url"*) printf '%s' "$STANDIN_API_URL";;
  *"output -raw gateway_target_group_arn"*) printf 'arn:aws:elasticloadbalancing:ap-northeast-2:111122223333:targetgroup/eco2-prod-gateway/abc';;
  *"output -raw images_bucket"*) printf 'eco2-prod-images-20261128abcdef';;
  *"output -raw region"*) printf 'ap-northeast-2';;
  *"output -raw cdn_base_url"*) printf 'https://images.eco2.example.com';;
  *" plan "*) echo "Plan: 97 to add, 0 to change, 0 to destroy.";;
  *) echo "terraform stand-in: ok";;
esac
`;

const ANSIBLE = `#!/bin/sh
${COMMON}
case "$*" in *--version*) echo "ansible-playbook [core 2.14.18]"; exit 0;; esac
fail_on_demand "$@"
echo "PLAY RECAP: stand-in ok"
`;

const KUBECTL = `#!/bin/sh
${COMMON}
case "$*" in *"version --client"*) echo "Client Version: v1.32.4"; exit 0;; esac
fail_on_demand "$@"
case "$*" in
  *"get nodes"*) printf 'node/control-plane\\nnode/api-auth\\nnode/infra-redis\\n';;
  *"get applications"*) cat "$STANDIN_APPS_JSON";;
  *" kustomize "*) cat "$STANDIN_ROOT/infra/argocd/prod/applicationset.yaml";;
  *"apply -f -"*) n=$(ls "$STANDIN_DIR"/applied-* 2>/dev/null | wc -l); cat > "$STANDIN_DIR/applied-$n";;
  *) echo "kubectl stand-in: ok";;
esac
`;

const AWS = `#!/bin/sh
${COMMON}
case "$*" in *--version*) echo "aws-cli/2.17.0 stand-in"; exit 0;; esac
fail_on_demand "$@"
case "$*" in
  *describe-volumes*) printf 'vol-0aaa1111\tvol-0bbb2222\n';;
  *) exit 0;;
esac
`;

const SSH = `#!/bin/sh
${COMMON}
case "$*" in "-V") echo "OpenSSH_9.2p1 stand-in" >&2; exit 0;; esac
fail_on_demand "$@"
case "$*" in
  *admin.conf*) printf 'apiVersion: v1\\nclusters:\\n- cluster:\\n    server: https://10.40.0.10:6443\\n  name: eco2\\n';;
  *) exit 0;;
esac
`;

/** Applications named like the ApplicationSet names them, all in the given status. */
export function applicationsJson(names: string[], status = "Synced/Healthy"): string {
  const [sync, health] = status.split("/");
  return JSON.stringify({
    items: names.map((n) => ({
      metadata: { name: n },
      status: { sync: { status: sync }, health: { status: health } },
    })),
  });
}

export function makeSandbox(apiUrl: string, apps: string[]): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "eco2-rebuild-test-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  for (const [name, body] of Object.entries({
    terraform: TERRAFORM,
    "ansible-playbook": ANSIBLE,
    kubectl: KUBECTL,
    ssh: SSH,
    aws: AWS,
  })) {
    writeFileSync(join(bin, name), body);
    chmodSync(join(bin, name), 0o755);
  }
  const key = join(dir, "id_ed25519");
  writeFileSync(key, "not a real key\n");
  chmodSync(key, 0o600);
  const tfvars = join(dir, "prod.tfvars");
  writeFileSync(
    tfvars,
    'domain_name = "eco2.example.com"\nssh_allowed_cidrs = ["203.0.113.10/32"]\nssh_public_key = "ssh-ed25519 AAAA test"\n',
  );
  const backend = join(dir, "backend.hcl");
  writeFileSync(backend, 'bucket = "state"\n');
  const secrets = join(dir, "secrets.env");
  writeFileSync(
    secrets,
    [
      "DATABASE_URL=postgres://eco2:pw@postgresql.eco2-data:5432/eco2",
      "REDIS_URL=redis://:pw@redis.eco2-data:6379",
      "AMQP_URL=amqp://eco2:pw@rabbitmq.eco2-data:5672",
      "AUTH_JWT_PRIVATE_KEYS=sekrit-jwk",
      "POSTGRES_PASSWORD=pw",
      "POSTGRES_EXPORTER_DSN=postgresql://eco2:pw@127.0.0.1:5432/eco2?sslmode=disable",
      "REDIS_PASSWORD=pw",
      "RABBITMQ_DEFAULT_PASS=pw",
      "RABBITMQ_ERLANG_COOKIE=cookie",
      "ALERT_WEBHOOK_URL=https://hooks.slack.com/services/T1/B2/sekrit-hook",
      "REGISTRY_USERNAME=eco2-bot",
      "REGISTRY_TOKEN=sekrit-ghcr-token",
    ].join("\n"),
  );
  const appsJson = join(dir, "apps.json");
  writeFileSync(appsJson, applicationsJson(apps));
  const log = join(dir, "calls.log");
  const stateDir = join(dir, "state");
  return {
    dir,
    bin,
    log,
    stateDir,
    env: {
      PATH: `${bin}:${join(process.cwd(), "node_modules", ".bin")}:/usr/bin:/bin`,
      HOME: dir,
      STANDIN_LOG: log,
      STANDIN_DIR: dir,
      STANDIN_FAIL: "",
      STANDIN_FAIL_ARGS: "",
      STANDIN_API_URL: apiUrl,
      STANDIN_ROOT: join(import.meta.dir, "..", ".."),
      STANDIN_APPS_JSON: appsJson,
      AWS_PROFILE: "eco2-test",
      ECO2_REBUILD_DIR: stateDir,
      ECO2_TFVARS: tfvars,
      ECO2_BACKEND_CONFIG: backend,
      ECO2_SSH_KEY: key,
      ECO2_SECRETS_FILE: secrets,
      ECO2_SSH_TIMEOUT_S: "5",
      ECO2_SSH_INTERVAL_S: "0.1",
      ECO2_APPS_TIMEOUT_S: "2",
      ECO2_APPS_INTERVAL_S: "0.1",
      ECO2_SMOKE_TIMEOUT_S: "2",
    },
  };
}
