import { analyticsDeadLetters, type Database, withTenant } from "@autopilot/db";
import { type AppEvent, eventSchema } from "@autopilot/sdk";
import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { EventProducer } from "../events/outbox.js";
import type { Logger } from "../lib/log.js";
import type { IngestMessage } from "./consume.js";
import { retryDelaySeconds } from "./errors.js";
import { type Cursor, cursorTime, type Page, pageOf } from "./pages.js";
import { type Rejection, setAside } from "./rejected.js";

/**
 * Consumer of `events-dlq`: messages that exhausted their retries are stored per tenant (RLS) until
 * someone replays them. An unreadable one (no valid tenant) is set aside like any poison message.
 * If storing fails, the messages are retried by the DLQ's own retry policy.
 */
export async function storeDeadLetters(
  db: Database,
  queue: string,
  messages: readonly IngestMessage[],
  log: Logger,
): Promise<number> {
  const byTenant = new Map<string, { message: IngestMessage; event: AppEvent }[]>();
  const rejections: Rejection[] = [];
  for (const message of messages) {
    const parsed = eventSchema.safeParse(message.body);
    if (!parsed.success) {
      rejections.push({ messageId: message.id, body: message.body, reason: "dead letter: invalid event" });
      continue;
    }
    const list = byTenant.get(parsed.data.tenantId) ?? [];
    list.push({ message, event: parsed.data });
    byTenant.set(parsed.data.tenantId, list);
  }
  let stored = 0;
  for (const [tenantId, items] of byTenant) {
    try {
      await withTenant(db, tenantId, (tx) =>
        tx.insert(analyticsDeadLetters).values(
          items.map((i) => ({
            tenantId,
            eventId: i.event.id,
            body: i.event,
            attempts: i.message.attempts,
          })),
        ),
      );
      for (const i of items) i.message.ack();
      stored += items.length;
    } catch (error) {
      log.error("could not store dead letters; retrying", { tenantId, error: String(error) });
      for (const i of items) i.message.retry({ delaySeconds: retryDelaySeconds(i.message.attempts) });
    }
  }
  if (rejections.length > 0) {
    await setAside(db, queue, rejections);
    for (const m of messages) if (!eventSchema.safeParse(m.body).success) m.ack();
  }
  if (stored > 0) log.warn("dead letters stored", { stored });
  return stored;
}

/**
 * Re-enqueues up to `limit` of a tenant's dead letters to the `events` queue and marks them replayed.
 * Safe to repeat: the ingest dedupes by event id. Rows are locked so two replays never send twice.
 */
export async function replayDeadLetters(
  db: Database,
  tenantId: string,
  producer: EventProducer,
  limit: number,
): Promise<{ replayed: number; remaining: number }> {
  return withTenant(db, tenantId, async (tx) => {
    const rows = await tx
      .select({ id: analyticsDeadLetters.id, body: analyticsDeadLetters.body })
      .from(analyticsDeadLetters)
      .where(and(eq(analyticsDeadLetters.tenantId, tenantId), isNull(analyticsDeadLetters.replayedAt)))
      .orderBy(asc(analyticsDeadLetters.createdAt))
      .limit(limit)
      .for("update", { skipLocked: true });
    if (rows.length > 0) {
      await producer.sendBatch(rows.map((r) => ({ body: r.body as AppEvent })));
      await tx
        .update(analyticsDeadLetters)
        .set({ replayedAt: new Date() })
        .where(
          inArray(
            analyticsDeadLetters.id,
            rows.map((r) => r.id),
          ),
        );
    }
    const left = await tx.$count(
      analyticsDeadLetters,
      and(eq(analyticsDeadLetters.tenantId, tenantId), isNull(analyticsDeadLetters.replayedAt)),
    );
    return { replayed: rows.length, remaining: left };
  });
}

export type DeadLetterItem = {
  id: string;
  eventId: string;
  event: Record<string, unknown>;
  attempts: number;
  replayedAt: string | null;
  createdAt: string;
};

/** The tenant's dead letters, newest first (pending only unless `all`), for the admin list. */
export async function listDeadLetters(
  db: Database,
  tenantId: string,
  opts: { limit: number; cursor: Cursor | null; all: boolean },
): Promise<Page<DeadLetterItem>> {
  const rows = await withTenant(db, tenantId, async (tx) => {
    const d = analyticsDeadLetters;
    const conditions = [eq(d.tenantId, tenantId)];
    if (!opts.all) conditions.push(isNull(d.replayedAt));
    if (opts.cursor) {
      const { at, id } = opts.cursor;
      conditions.push(sql`(${d.createdAt}, ${d.id}) < (${at}::timestamptz, ${id}::uuid)`);
    }
    return tx
      .select({
        row: d,
        at: sql<string>`${sql.raw(cursorTime('"analytics_dead_letters"."created_at"'))}`,
      })
      .from(d)
      .where(and(...conditions))
      .orderBy(desc(d.createdAt), desc(d.id))
      .limit(opts.limit + 1);
  });
  return pageOf(
    rows.map(({ row: r, at }) => ({
      at,
      id: r.id,
      item: {
        id: r.id,
        eventId: r.eventId,
        event: r.body as Record<string, unknown>,
        attempts: r.attempts,
        replayedAt: r.replayedAt?.toISOString() ?? null,
        createdAt: r.createdAt.toISOString(),
      },
    })),
    opts.limit,
  );
}
