/** Latency figures of one sequential run (milliseconds). */
export type LatencySummary = { count: number; seconds: number; medianMs: number; p99Ms: number; rps: number };

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The median of unsorted values (nearest rank). */
export const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

export function summarize(latenciesMs: number[], seconds: number): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    seconds,
    medianMs: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    rps: sorted.length / seconds,
  };
}

export const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Calls `once` sequentially (concurrency 1) for `seconds` or `maxCount` calls, whichever ends first,
 * and returns each call's wall time. `once` must throw on a wrong answer so no error is timed as a success.
 */
export async function runSequential(
  once: () => Promise<void>,
  opts: { seconds: number; maxCount: number },
): Promise<{ latenciesMs: number[]; seconds: number }> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  while (latenciesMs.length < opts.maxCount && performance.now() < deadline) {
    const t0 = performance.now();
    await once();
    latenciesMs.push(performance.now() - t0);
  }
  return { latenciesMs, seconds: (performance.now() - started) / 1000 };
}

export function describe(label: string, s: LatencySummary): string {
  return `${label.padEnd(22)} median ${s.medianMs.toFixed(2)} ms  p99 ${s.p99Ms.toFixed(2)} ms  ${s.rps.toFixed(0)} req/s  (${s.count} requests in ${s.seconds.toFixed(1)} s)`;
}
