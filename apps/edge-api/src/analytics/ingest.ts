import type { Database } from "@autopilot/db";
import type { AppEvent } from "@autopilot/sdk";
import { toEventRow } from "./dimensions.js";

/** What the live figures need of an inserted event. */
export type InsertedEvent = {
  id: string;
  type: string;
  occurred_at: string;
  conversation_id: string | null;
  detail: string | null;
  value: number | null;
};

export type IngestResult = { inserted: InsertedEvent[]; timeZone: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Stores one tenant's events and updates the rollups and the funnel tables in one transaction: one
 * call of the SQL function `analytics_ingest` (migrations 0018), i.e. ONE round trip in the extended
 * protocol, and no planning per batch: PL/pgSQL keeps the statement's plan for the session, where a
 * multi-statement simple query (the previous form) was planned afresh each time (~4 ms, more than
 * its execution). The function switches to app_user with the tenant set (RLS), takes the daily-rollup
 * lock shared (daily.ts), then runs one statement: the events insert skips ids already stored
 * (`ON CONFLICT (id) DO NOTHING`) and everything else is derived from its RETURNING rows only, so a
 * redelivered event (at-least-once, any order) counts once. Rows and keys are sorted so concurrent
 * batches take row locks in one order.
 * - 15-minute and daily rollups (tenant-local days, see daily.ts) are added set-based (GROUP BY of
 *   the inserted rows, ON CONFLICT DO UPDATE adds).
 * - Funnel (reports/funnel.ts): deals → leads → conversations, each upsert merging earliest times
 *   and feeding the next from its RETURNING (the merged, latest committed row: ON CONFLICT DO UPDATE
 *   waits for a concurrent writer of the same key), so a link that arrives after its stage events
 *   still carries them to the conversation, whatever the order of batches.
 */
export async function ingestTenantEvents(
  db: Database,
  tenantId: string,
  events: AppEvent[],
): Promise<IngestResult> {
  if (!UUID.test(tenantId)) throw new Error("ingestTenantEvents: tenantId must be a UUID");
  const unique = new Map(events.map((e) => [e.id, toEventRow(e)]));
  const rows = [...unique.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out = await db.query<
    Omit<InsertedEvent, "occurred_at"> & { occurred_at: Date | string; time_zone: string }
  >("select * from analytics_ingest($1::uuid, $2::json)", [tenantId, JSON.stringify(rows)]);
  const inserted = out.map((r) => ({
    id: r.id,
    type: r.type,
    occurred_at: new Date(r.occurred_at).toISOString(),
    conversation_id: r.conversation_id,
    detail: r.detail,
    value: r.value === null ? null : Number(r.value),
  }));
  return { inserted, timeZone: out[0]?.time_zone ?? null };
}
