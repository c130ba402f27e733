// Where a run's CPU went, by process, from /proc (Linux): the benchmarks' profile of a burst. A process
// that exits during the run is counted in its parent's children's times (cutime, cstime) once reaped,
// so PostgreSQL's backends forked per connection are counted through the postmaster.
import { readdirSync, readFileSync } from "node:fs";

/** CPU seconds per group: processes whose command is `workerd` or `postgres`, and the given pids. */
export type CpuSample = Record<string, number>;

const USER_HZ = 100;

function stat(pid: string): { comm: string; seconds: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = text.slice(text.indexOf("(") + 1, text.lastIndexOf(")"));
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // utime, stime, cutime, cstime: fields 14–17 of stat, 11–14 after the command.
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return { comm, seconds: ticks / USER_HZ };
  } catch {
    return null; // gone, or not Linux
  }
}

/** A snapshot: `named` maps a label to a pid (this process, the database's process). */
export function sampleCpu(named: Record<string, number>): CpuSample {
  const out: CpuSample = { workerd: 0, postgres: 0 };
  for (const [label, pid] of Object.entries(named)) out[label] = stat(String(pid))?.seconds ?? 0;
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    const s = stat(pid);
    if (s && (s.comm === "workerd" || s.comm === "postgres")) out[s.comm] = (out[s.comm] ?? 0) + s.seconds;
  }
  return out;
}

/** CPU seconds each group used between two snapshots. */
export function cpuBetween(before: CpuSample, after: CpuSample): CpuSample {
  const out: CpuSample = {};
  for (const [k, v] of Object.entries(after)) out[k] = Math.max(0, v - (before[k] ?? 0));
  return out;
}

/** "workerd 1.20 CPU, postgres 0.40 CPU, …": cores busy on average over `seconds`. */
export const describeCpu = (used: CpuSample, seconds: number) =>
  Object.entries(used)
    .map(([k, v]) => `${k} ${(v / seconds).toFixed(2)} CPU`)
    .join(", ");
