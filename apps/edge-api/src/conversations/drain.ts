import type { AppEvent } from "@autopilot/sdk";
import { applyPgItems, PgItem } from "./pg-sink.js";
import type { Sinks } from "./sinks.js";
import type { ConversationStore } from "./store.js";

const BATCH = 100;

/**
 * One pass over the DO's outbox. Postgres copies go in one tenant transaction, events in one queue
 * batch; a row leaves the outbox only once its destination acknowledged it, and a failure only
 * delays its own kind (backoff with jitter; the alarm retries), so nothing is lost while the queue
 * or the database is down. Delivery is at least once: Postgres copies are idempotent, consumers
 * dedupe events by id. Route actions wait in the same outbox but run through the DO (drainActions),
 * in order, one at a time.
 */
export async function drainOutbox(
  store: ConversationStore,
  tenantId: string,
  sinks: Sinks,
  appUrl: string,
  /** Rows due by this time are sent; a later time also sends rows still backing off (tests, support). */
  dueBy = Date.now(),
): Promise<void> {
  const now = Date.now();
  const pg = store.due("pg", dueBy, BATCH);
  if (pg.length > 0) {
    let db: ReturnType<Sinks["database"]> | undefined;
    try {
      db = sinks.database();
      const items = pg.map((r) => PgItem.parse(JSON.parse(r.payload)));
      await applyPgItems(db, tenantId, items, sinks.mailer, appUrl);
      store.acknowledge(pg.map((r) => r.id));
    } catch {
      store.retryLater(
        pg.map((r) => r.id),
        now,
      );
    } finally {
      await db?.end().catch(() => undefined);
    }
  }
  const events = store.due("event", dueBy, BATCH);
  if (events.length > 0) {
    try {
      await sinks.events.sendBatch(events.map((r) => ({ body: JSON.parse(r.payload) as AppEvent })));
      store.acknowledge(events.map((r) => r.id));
    } catch {
      store.retryLater(
        events.map((r) => r.id),
        now,
      );
    }
  }
}
