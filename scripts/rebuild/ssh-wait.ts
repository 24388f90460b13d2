// Waits until every node accepts SSH, all nodes in parallel, each polled until one shared
// deadline. Private nodes are reached through the bastion (the control plane), as Ansible does.
import type { Shell } from "./exec.ts";
import type { Host } from "./state.ts";

export interface SshWaitOptions {
  user: string;
  key: string;
  bastion?: string;
  timeoutS: number;
  intervalS: number;
}

export class SshTimeoutError extends Error {
  constructor(
    readonly unreachable: string[],
    timeoutS: number,
  ) {
    super(
      `SSH did not answer within ${timeoutS}s on ${unreachable.length} node(s): ${unreachable.join(", ")}`,
    );
  }
}

export function sshArgs(host: Host, o: SshWaitOptions, command: string[]): string[] {
  const jump = o.bastion && host.address !== o.bastion ? ["-J", `${o.user}@${o.bastion}`] : [];
  return [
    "-i",
    o.key,
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=5",
    "-o",
    "StrictHostKeyChecking=accept-new",
    ...jump,
    `${o.user}@${host.address}`,
    ...command,
  ];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitForSsh(shell: Shell, hosts: Host[], o: SshWaitOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutS * 1000;
  const pending = new Set(hosts.map((h) => h.name));
  await Promise.all(
    hosts.map(async (h) => {
      while (Date.now() < deadline) {
        const r = await shell.run("ssh", sshArgs(h, o, ["true"]), {
          allowFailure: true,
          timeoutMs: Math.max(1000, deadline - Date.now()),
        });
        if (r.code === 0) {
          pending.delete(h.name);
          shell.log(`# ssh ok: ${h.name}`);
          return;
        }
        await sleep(Math.min(o.intervalS * 1000, Math.max(0, deadline - Date.now())));
      }
    }),
  );
  if (pending.size > 0) throw new SshTimeoutError([...pending].sort(), o.timeoutS);
}
