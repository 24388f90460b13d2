import { readFileSync } from "node:fs";

// Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux this runs on.
const TICKS_PER_SECOND = 100;

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
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
