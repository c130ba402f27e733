import { type Database, outbox, type Tx, withTenant } from "@autopilot/db";
import { type AppEvent, EVENT_VERSIONS, type EventOf, type EventType, eventSchema } from "@autopilot/sdk";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { markOutboxTenant } from "./flush-scope.js";

export type NewEvent<T extends EventType> = Omit<EventOf<T>, "id" | "time" | "version"> & { type: T };

/** The outbox row for an event (validated, with id, time and version), for callers that write it
 * as part of a larger statement; recordEvent writes it on its own. */
export function outboxRow<T extends EventType>(event: NewEvent<T>) {
  const full = eventSchema.parse({
    ...event,
    id: crypto.randomUUID(),
    time: new Date().toISOString(),
    version: EVENT_VERSIONS[event.type],
  });
  return { id: full.id, tenantId: full.tenantId, type: full.type, event: full };
}

/** Writes an event to the outbox in the caller's transaction, so it exists if and only if the change does. */
export async function recordEvent<T extends EventType>(tx: Tx, event: NewEvent<T>): Promise<AppEvent> {
  const row = outboxRow(event);
  await tx.insert(outbox).values(row);
  markOutboxTenant(event.tenantId);
  return row.event;
}

/** Where sent events go: the Queue in production; tests may pass one that fails. */
export type EventProducer = { sendBatch(messages: { body: AppEvent }[]): Promise<unknown> };

export type FlushResult = { sent: number; failed: number };

/**
 * Moves one tenant's pending outbox rows to the Queue and marks them sent. A failed send leaves them
 * pending (with the error) for the next flush or the cron; delivery is at least once, consumers
 * dedupe by event id. Rows are locked with SKIP LOCKED so two flushes never send the same batch.
 */
export async function flushOutbox(
  db: Database,
  tenantId: string,
  producer: EventProducer,
  batchSize = 100,
): Promise<FlushResult> {
  return withTenant(db, tenantId, async (tx) => {
    const rows = await tx
      .select({ id: outbox.id, event: outbox.event })
      .from(outbox)
      .where(and(eq(outbox.tenantId, tenantId), isNull(outbox.sentAt)))
      .orderBy(asc(outbox.createdAt))
      .limit(batchSize)
      .for("update", { skipLocked: true });
    if (rows.length === 0) return { sent: 0, failed: 0 };
    const ids = rows.map((r) => r.id);
    try {
      await producer.sendBatch(rows.map((r) => ({ body: r.event as AppEvent })));
    } catch (error) {
      await tx
        .update(outbox)
        .set({ attempts: sql`${outbox.attempts} + 1`, lastError: String(error).slice(0, 500) })
        .where(inArray(outbox.id, ids));
      return { sent: 0, failed: rows.length };
    }
    await tx
      .update(outbox)
      .set({ sentAt: new Date(), attempts: sql`${outbox.attempts} + 1` })
      .where(inArray(outbox.id, ids));
    return { sent: rows.length, failed: 0 };
  });
}
