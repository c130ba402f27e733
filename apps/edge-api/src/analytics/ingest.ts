import { type Database, lookups } from "@autopilot/db";
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

/** One tenant's events of a Queue batch. */
export type TenantEvents = { tenantId: string; events: AppEvent[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Stores the events of several tenants (a Queue batch mixes them), all in one transaction: one call
 * of the SQL function `analytics_ingest` (migration 0059), i.e. ONE round trip in the extended
 * protocol and one commit per batch, and no planning per batch (PL/pgSQL keeps the statement's plan
 * for the session). For each tenant in turn (in tenant order) it sets the tenant as app_user (RLS) and
 * inserts the events, skipping ids already stored (`ON CONFLICT (id) DO NOTHING`), so a redelivered
 * event (at-least-once, any order) is stored once. Nothing else: the rollups and funnel tables are
 * added to later from the stored events, exactly once each, by the fold (fold.ts), which every report
 * runs first. Rows are sorted so concurrent batches take row locks in one order.
 * Returns, per tenant given (key lower-case, as the database writes UUIDs), the events actually
 * inserted, i.e. all but the ids the database already had, and the tenant's time zone.
 */
export async function ingestEvents(
  db: Database,
  groups: readonly TenantEvents[],
): Promise<Map<string, IngestResult>> {
  const payload = groups.map(({ tenantId, events }) => {
    if (!UUID.test(tenantId)) throw new Error("ingestEvents: tenantId must be a UUID");
    const unique = new Map(events.map((e) => [e.id.toLowerCase(), toEventRow(e)]));
    return { tenantId: tenantId.toLowerCase(), rows: [...unique.values()].sort(byId) };
  });
  const out = await lookups.analyticsIngest(
    db,
    payload.map((p) => ({ tenant: p.tenantId, rows: p.rows })),
  );
  const answers = new Map(out.map((r) => [r.tenant_id, r]));
  const results = new Map<string, IngestResult>();
  for (const { tenantId, rows } of payload) {
    const answer = answers.get(tenantId);
    const duplicates = new Set(answer?.duplicates ?? []);
    const inserted = rows
      .filter((r) => !duplicates.has(r.id.toLowerCase()))
      .map((r) => ({
        id: r.id,
        type: r.type,
        occurred_at: new Date(r.occurred_at).toISOString(),
        conversation_id: r.conversation_id,
        detail: r.detail,
        value: r.value,
      }));
    results.set(tenantId, { inserted, timeZone: answer?.time_zone ?? null });
  }
  return results;
}
