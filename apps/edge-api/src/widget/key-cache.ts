import { type Database, isDatabaseUnavailable, lookups } from "@autopilot/db";
import { withDbSlot } from "../conversations/db-gate.js";

// Widget keys are read on every visitor session, by every visitor of a customer's site at once (a
// campaign, a page going viral): the isolate remembers them for a minute, so a burst costs a handful
// of queries, not one connection per visitor. The price: disabling a key or changing its allowed
// origins takes up to TTL_MS to reach isolates that already hold it (longer while the database is down).

const TTL_MS = 60_000;
const MISSING_TTL_MS = 5_000;
const MAX_ENTRIES = 5_000;

type WidgetKeyRow = Awaited<ReturnType<typeof lookups.widgetKey>>;
const cache = new Map<string, { row: WidgetKeyRow; until: number }>();

const fresh = (publicKey: string) => {
  const hit = cache.get(publicKey);
  return hit && hit.until > Date.now() ? hit : undefined;
};

export async function widgetKeyCached(db: Database, publicKey: string): Promise<WidgetKeyRow> {
  const hit = fresh(publicKey);
  if (hit) return hit.row;
  // Bounded concurrency: the callers queued behind the first lookup find its answer in the cache.
  return withDbSlot(async () => {
    const again = fresh(publicKey);
    if (again) return again.row;
    let row: WidgetKeyRow;
    try {
      row = await lookups.widgetKey(db, publicKey);
    } catch (error) {
      // Database down: a key seen before keeps opening chats from the stale entry (the conversation
      // itself runs in its Durable Object and catches up with Postgres later).
      const stale = cache.get(publicKey);
      if (stale?.row && isDatabaseUnavailable(error)) return stale.row;
      throw error;
    }
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value ?? "");
    cache.set(publicKey, { row, until: Date.now() + (row ? TTL_MS : MISSING_TTL_MS) });
    return row;
  });
}
