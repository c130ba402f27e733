import { setTimeout as sleep } from "node:timers/promises";

// The local queues (events, crawls, imports) live in the worker runtime's memory: whatever waits in
// them when `npm start` stops is gone. So a stop first waits (bounded) for them to empty, and a start
// queues again the crawls, extractions and imports a previous stop cut off (they resume from their
// stored progress). What still cannot survive is said in the README ("Stopping and restarting").

const READS_EMPTY = 3; // consecutive empty reads, 500 ms apart: also covers a batch being consumed

type Log = (message: string) => void;

/** Waits until every local queue is empty (or `timeoutMs` passed); says what was left behind. */
export async function drainLocalQueues(apiUrl: string, log: Log, timeoutMs = 12_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let empty = 0;
  let backlog: Record<string, number> = {};
  let said = false;
  for (let i = 0; i < Math.ceil(timeoutMs / 500) + 1 && Date.now() < deadline; i++) {
    try {
      const res = await fetch(`${apiUrl}/v1/dev/queues`, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) return;
      backlog = ((await res.json()) as { backlog: Record<string, number> }).backlog;
    } catch {
      return; // the worker is gone already: nothing to wait for
    }
    const waiting = Object.values(backlog).reduce((a, b) => a + b, 0);
    empty = waiting === 0 ? empty + 1 : 0;
    if (empty >= READS_EMPTY) return;
    if (waiting > 0 && !said) {
      log(`waiting for ${waiting} queued job(s) to finish (Ctrl-C again does not skip this)…`);
      said = true;
    }
    await sleep(500);
  }
  const left = Object.entries(backlog).filter(([, n]) => n > 0);
  if (left.length > 0)
    log(
      `stopping with queued work left: ${left.map(([q, n]) => `${q} ${n}`).join(", ")} (crawls and imports resume at the next start)`,
    );
}

/** Queues again the jobs a previous stop cut off; says how many. */
export async function resumeCutOffJobs(apiUrl: string, log: Log): Promise<void> {
  try {
    const res = await fetch(`${apiUrl}/v1/dev/resume-jobs`, {
      method: "POST",
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const { sources, imports, embeddings } = (await res.json()) as Record<string, number>;
    if ((sources ?? 0) + (imports ?? 0) + (embeddings ?? 0) > 0)
      log(
        `resumed what the last stop cut off: ${sources} knowledge source(s), ${imports} lead import(s), ${embeddings} embedding step(s)`,
      );
  } catch (error) {
    log(`could not resume cut-off jobs (the cron retries in a few minutes): ${String(error)}`);
  }
}
