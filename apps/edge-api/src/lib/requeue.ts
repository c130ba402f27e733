import type { Logger } from "./log.js";

// The sweeps that find accepted work whose queue message was lost (crawls, extractions, imports,
// embedding steps) all do the same: each found item is re-queued on its own, one failure is logged
// and does not stop the others, and the count of re-queued items is the sweep's result.

export async function requeueEach<T extends Record<string, unknown>>(
  found: T[],
  requeue: (item: T) => Promise<unknown>,
  log: Logger,
  what: string,
): Promise<number> {
  let requeued = 0;
  for (const item of found) {
    try {
      await requeue(item);
      requeued++;
      log.warn(`${what} re-queued`, item);
    } catch (error) {
      log.warn(`${what} re-queue failed`, { ...item, error: String(error) });
    }
  }
  return requeued;
}
