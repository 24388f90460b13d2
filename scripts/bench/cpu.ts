import { readFileSync } from "node:fs";

// Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux this runs on.
const TICKS_PER_SECOND = 100;

/**
 * statFields are the fields of /proc/<pid>/stat after the parenthesised command name (field 3,
 * the state, is index 0); undefined where there is no such file.
 */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/**
 * cpuMs is the CPU time (user + system) a process has used so far, in ms: from /proc for another
 * process, from process.cpuUsage() for this one; NaN where neither is available. Throughput on
 * a shared machine moves with whatever else runs; CPU time per request moves much less, so the
 * benchmarks report both.
 */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined || pid === process.pid) {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  }
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15.
  return fields
    ? ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
    : Number.NaN;
}

/**
 * minorFaults is how many minor page faults a process has taken so far (field 10), NaN where
 * /proc has none: memory the allocator gave back to the OS and touches again comes back as these.
 */
export function minorFaults(pid: number | undefined): number {
  const fields = pid === undefined ? undefined : statFields(pid);
  return fields ? Number(fields[7]) : Number.NaN;
}
