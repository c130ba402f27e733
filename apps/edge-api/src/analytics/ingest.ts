import { type Database, withTenant } from "@autopilot/db";
import type { AppEvent } from "@autopilot/sdk";
import { sql } from "drizzle-orm";
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

/**
 * Stores one tenant's events and updates the rollups in the same transaction and the same statement:
 * the events insert skips ids already stored (`ON CONFLICT (id) DO NOTHING`) and the rollups are
 * summed from its RETURNING rows only, so a redelivered event (at-least-once, any order) counts once.
 * Rows and rollup keys are sorted so concurrent batches take locks in one order (no deadlocks).
 * Daily rollups (tenant-local days, see daily.ts) are added in the same statement.
 * Round trips: BEGIN+tenant, the tenant-row lock, this statement, COMMIT.
 */
export async function ingestTenantEvents(
  db: Database,
  tenantId: string,
  events: AppEvent[],
): Promise<IngestResult> {
  const unique = new Map(events.map((e) => [e.id, toEventRow(e)]));
  const rows = [...unique.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const json = JSON.stringify(rows);
  return withTenant(db, tenantId, async (tx) => {
    // Lock the tenant row (shared) before the statement reads the daily rollups' zone, so a zone
    // rebuild (daily.ts, FOR UPDATE) is either wholly before or wholly after this batch.
    await tx.execute(sql`select 1 from tenants where id = ${tenantId}::uuid for key share`);
    const result = await tx.execute<InsertedEvent & { time_zone: string }>(sql`
      with input as (
        select * from jsonb_to_recordset(${json}::jsonb) as x(
          id uuid, type text, version smallint, occurred_at timestamptz, actor_type text, actor_id text,
          conversation_id text, lead_id text, deal_id text, channel text, route_id text, owner_id text,
          detail text, step text, currency text, value float8, subjects jsonb, properties jsonb)
      ), ins as (
        insert into analytics_events (id, tenant_id, type, version, occurred_at, actor_type, actor_id,
          conversation_id, lead_id, deal_id, channel, route_id, owner_id, detail, step, currency, value,
          subjects, properties)
        select id, ${tenantId}::uuid, type, version, occurred_at, actor_type, actor_id, conversation_id,
          lead_id, deal_id, channel, route_id, owner_id, detail, step, currency, value, subjects, properties
        from input order by id
        on conflict (id) do nothing
        returning id, type, occurred_at, conversation_id, channel, route_id, owner_id, detail, step,
          currency, value
      ), rolled as (
        insert into analytics_rollups as r (tenant_id, bucket, type, channel, route_id, owner_id, detail,
          step, currency, count, value_sum, value_count)
        select ${tenantId}::uuid, date_bin('15 minutes', occurred_at, timestamptz '2000-01-01 00:00:00+00'),
          type, coalesce(channel, ''), coalesce(route_id, ''), coalesce(owner_id, ''), coalesce(detail, ''),
          coalesce(step, ''), coalesce(currency, ''), count(*), coalesce(sum(value), 0), count(value)
        from ins
        group by 2, 3, 4, 5, 6, 7, 8, 9
        order by 2, 3, 4, 5, 6, 7, 8, 9
        on conflict (tenant_id, bucket, type, channel, route_id, owner_id, detail, step, currency)
        do update set count = r.count + excluded.count, value_sum = r.value_sum + excluded.value_sum,
          value_count = r.value_count + excluded.value_count
      ), daily as (
        -- Tenant-local days, for the zone the daily rollups are kept in (none yet: nothing to add).
        insert into analytics_rollups_daily as d (tenant_id, time_zone, type, day, channel, route_id,
          owner_id, detail, step, currency, count, value_sum, value_count)
        select ${tenantId}::uuid, z.time_zone, type, (occurred_at at time zone z.time_zone)::date,
          coalesce(channel, ''), coalesce(route_id, ''), coalesce(owner_id, ''), coalesce(detail, ''),
          coalesce(step, ''), coalesce(currency, ''), count(*), coalesce(sum(value), 0), count(value)
        from ins cross join (select time_zone from analytics_daily_zones where tenant_id = ${tenantId}::uuid) z
        group by 2, 3, 4, 5, 6, 7, 8, 9, 10
        order by 2, 3, 4, 5, 6, 7, 8, 9, 10
        on conflict (tenant_id, time_zone, type, day, channel, route_id, owner_id, detail, step, currency)
        do update set count = d.count + excluded.count, value_sum = d.value_sum + excluded.value_sum,
          value_count = d.value_count + excluded.value_count
      )
      select ins.id, ins.type, ins.occurred_at, ins.conversation_id, ins.detail, ins.value,
        (select t.time_zone from tenants t where t.id = ${tenantId}::uuid) as time_zone
      from ins`);
    const inserted = result.rows.map((r) => ({
      id: r.id,
      type: r.type,
      occurred_at: new Date(r.occurred_at).toISOString(),
      conversation_id: r.conversation_id,
      detail: r.detail,
      value: r.value === null ? null : Number(r.value),
    }));
    return { inserted, timeZone: result.rows[0]?.time_zone ?? null };
  });
}
