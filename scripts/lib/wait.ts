import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `probe` until it returns true, at most `timeoutMs` and `maxAttempts` times, `intervalMs` apart.
 * `abort` is checked first on each attempt (e.g. "the child process already exited") and ends the wait.
 */
export async function waitUntil(opts: {
  probe: () => Promise<boolean>;
  timeoutMs: number;
  intervalMs?: number;
  abort?: () => string | undefined;
}): Promise<{ ok: true } | { ok: false; reason: string }> {
  const interval = opts.intervalMs ?? 250;
  const deadline = Date.now() + opts.timeoutMs;
  const maxAttempts = Math.ceil(opts.timeoutMs / interval) + 1;
  for (let attempt = 0; attempt < maxAttempts && Date.now() < deadline; attempt++) {
    const aborted = opts.abort?.();
    if (aborted) return { ok: false, reason: aborted };
    if (await opts.probe().catch(() => false)) return { ok: true };
    await sleep(interval);
  }
  return { ok: false, reason: `not ready within ${Math.round(opts.timeoutMs / 1000)} s` };
}

/** True when GET `url` answers 200 within `timeoutMs`. */
export async function answers200(url: string, timeoutMs = 5_000): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.body?.cancel();
  return res.status === 200;
}
