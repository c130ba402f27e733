import { isTransientDbError } from "@autopilot/db";
import type { AppEvent } from "@autopilot/sdk";
import { createLogger } from "../lib/log.js";
import { applyPgItems, PgItem } from "./pg-sink.js";
import type { Sinks } from "./sinks.js";
import type { ConversationStore, OutboxRow } from "./store.js";

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
      const database = db;
      const parsed = pg.map((r) => ({ row: r, item: PgItem.safeParse(JSON.parse(r.payload)) }));
      for (const p of parsed)
        if (!p.item.success) park(store, p.row, `not a valid item: ${p.item.error.message}`);
      const good = parsed.flatMap((p) => (p.item.success ? [{ row: p.row, item: p.item.data }] : []));
      const apply = (batch: typeof good) =>
        applyPgItems(
          database,
          tenantId,
          batch.map((g) => g.item),
          sinks.mailer,
          appUrl,
        );
      try {
        if (good.length > 0) await apply(good);
        store.acknowledge(good.map((g) => g.row.id));
      } catch (error) {
        if (isTransientDbError(error)) throw error;
        // The database refused the batch as it is: find the rows it refuses, one by one, so the
        // others are delivered and only those are set aside.
        for (const g of good) {
          try {
            await apply([g]);
            store.acknowledge([g.row.id]);
          } catch (single) {
            if (isTransientDbError(single)) store.retryLater([g.row.id], now);
            else park(store, g.row, String(single));
          }
        }
      }
    } catch (error) {
      // Unreachable or overloaded: the rows still waiting try again later (backoff; parked ones are gone).
      createLogger({ outbox: "pg" }).warn("outbox rows wait: the database did not take them", {
        rows: pg.length,
        error: String(error).slice(0, 300),
      });
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

/** An undeliverable row, set aside where support finds it (outboxStatus, the log), never retried on its own. */
function park(store: ConversationStore, row: OutboxRow, error: string): void {
  store.park(row.id, error);
  createLogger({ outbox: row.kind }).warn("outbox row set aside: its destination refuses it", {
    rowId: row.id,
    attempts: row.attempts,
    error: error.slice(0, 300),
  });
}
