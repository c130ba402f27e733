import type { Database } from "@autopilot/db";
import type { AppEvent } from "@autopilot/sdk";
import { dailyLockSql } from "./daily.js";
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

/** A string literal safe whatever standard_conforming_strings is (E'' with doubled ' and \). */
function literal(s: string): string {
  const body = s.replaceAll("'", "''");
  return body.includes("\\") ? `E'${body.replaceAll("\\", "\\\\")}'` : `'${body}'`;
}

/**
 * Stores one tenant's events and updates the rollups and the funnel tables in one transaction, sent
 * as ONE round trip (simple protocol: BEGIN, role + tenant for RLS, the daily-rollup lock, the
 * statement, COMMIT). The events insert skips ids already stored (`ON CONFLICT (id) DO NOTHING`) and
 * everything else is derived from its RETURNING rows only, so a redelivered event (at-least-once, any
 * order) counts once. Rows and keys are sorted so concurrent batches take row locks in one order.
 * - Daily rollups (tenant-local days, see daily.ts) are added for the zone they are kept in; the
 *   shared advisory lock, taken before the statement's snapshot, keeps a zone rebuild exact.
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
  const t = `'${tenantId}'::uuid`;
  const text = `BEGIN; SET LOCAL ROLE app_user; SELECT set_config('app.tenant_id', '${tenantId}', true);
${dailyLockSql(tenantId, "shared")};
with input as (
  select * from json_to_recordset(${literal(JSON.stringify(rows))}::json) as x(
    id uuid, type text, version smallint, occurred_at timestamptz, actor_type text, actor_id text,
    conversation_id text, lead_id text, deal_id text, channel text, route_id text, owner_id text,
    detail text, step text, currency text, value float8, subjects jsonb, properties jsonb)
), ins as (
  insert into analytics_events (id, tenant_id, type, version, occurred_at, actor_type, actor_id,
    conversation_id, lead_id, deal_id, channel, route_id, owner_id, detail, step, currency, value,
    subjects, properties)
  select id, ${t}, type, version, occurred_at, actor_type, actor_id, conversation_id,
    lead_id, deal_id, channel, route_id, owner_id, detail, step, currency, value, subjects, properties
  from input order by id
  on conflict (id) do nothing
  returning id, type, occurred_at, conversation_id, lead_id, deal_id, channel, route_id, owner_id,
    detail, step, currency, value
), rolled as (
  insert into analytics_rollups as r (tenant_id, bucket, type, channel, route_id, owner_id, detail,
    step, currency, count, value_sum, value_count)
  select ${t}, date_bin('15 minutes', occurred_at, timestamptz '2000-01-01 00:00:00+00'),
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
  select ${t}, z.time_zone, type, (occurred_at at time zone z.time_zone)::date,
    coalesce(channel, ''), coalesce(route_id, ''), coalesce(owner_id, ''), coalesce(detail, ''),
    coalesce(step, ''), coalesce(currency, ''), count(*), coalesce(sum(value), 0), count(value)
  from ins cross join (select time_zone from analytics_daily_zones where tenant_id = ${t}) z
  group by 2, 3, 4, 5, 6, 7, 8, 9, 10
  order by 2, 3, 4, 5, 6, 7, 8, 9, 10
  on conflict (tenant_id, time_zone, type, day, channel, route_id, owner_id, detail, step, currency)
  do update set count = d.count + excluded.count, value_sum = d.value_sum + excluded.value_sum,
    value_count = d.value_count + excluded.value_count
), deals as (
  insert into analytics_funnel_deals as f (tenant_id, deal_id, lead_id, created_at, won_at, last_at)
  select ${t}, deal_id, max(lead_id) filter (where type = 'deal.created'),
    min(occurred_at) filter (where type = 'deal.created'), min(occurred_at) filter (where type = 'deal.won'),
    max(occurred_at)
  from ins where type in ('deal.created', 'deal.won') and deal_id is not null
  group by deal_id order by deal_id
  on conflict (tenant_id, deal_id) do update set lead_id = coalesce(f.lead_id, excluded.lead_id),
    created_at = least(f.created_at, excluded.created_at), won_at = least(f.won_at, excluded.won_at),
    last_at = greatest(f.last_at, excluded.last_at)
  returning lead_id, created_at, won_at, last_at
), leads as (
  insert into analytics_funnel_leads as f (tenant_id, lead_id, conversation_id, created_at, sql_at,
    deal_at, won_at, last_at)
  select ${t}, lead_id, max(conversation_id), min(created_at), min(sql_at), min(deal_at), min(won_at),
    max(last_at)
  from (
    select lead_id, case when type = 'lead.created' then conversation_id end as conversation_id,
      case when type = 'lead.created' then occurred_at end as created_at,
      case when type = 'lead.status_changed' and detail in ('sql', 'converted') then occurred_at end as sql_at,
      null::timestamptz as deal_at, null::timestamptz as won_at, occurred_at as last_at
    from ins where type in ('lead.created', 'lead.status_changed') and lead_id is not null
    union all
    -- A deal counts for its lead once deal.created linked them (lead_id is set only from it).
    select lead_id, null, null, null, created_at, won_at, last_at from deals where lead_id is not null
  ) s
  group by lead_id order by lead_id
  on conflict (tenant_id, lead_id) do update set
    conversation_id = coalesce(f.conversation_id, excluded.conversation_id),
    created_at = least(f.created_at, excluded.created_at), sql_at = least(f.sql_at, excluded.sql_at),
    deal_at = least(f.deal_at, excluded.deal_at), won_at = least(f.won_at, excluded.won_at),
    last_at = greatest(f.last_at, excluded.last_at)
  returning conversation_id, created_at, sql_at, deal_at, won_at, last_at
), funnel as (
  insert into analytics_funnel as f (tenant_id, conversation_id, started_at, channel, engaged_at,
    form_completed_at, lead_at, sql_at, deal_at, won_at, last_at)
  select ${t}, conversation_id, min(started_at),
    (array_agg(channel order by started_at) filter (where started_at is not null))[1],
    min(engaged_at), min(form_at), min(lead_at), min(sql_at), min(deal_at), min(won_at), max(last_at)
  from (
    select conversation_id, case when type = 'conversation.started' then occurred_at end as started_at,
      case when type = 'conversation.started' then channel end as channel,
      case when type = 'message.received' then occurred_at end as engaged_at,
      case when type = 'form.completed' then occurred_at end as form_at,
      null::timestamptz as lead_at, null::timestamptz as sql_at, null::timestamptz as deal_at,
      null::timestamptz as won_at, occurred_at as last_at
    from ins
    where type in ('conversation.started', 'message.received', 'form.completed') and conversation_id is not null
    union all
    -- Only a lead created for the conversation (lead.created) links it.
    select conversation_id, null, null, null, null, created_at, sql_at, deal_at, won_at, last_at
    from leads where conversation_id is not null
  ) s
  group by conversation_id order by conversation_id
  on conflict (tenant_id, conversation_id) do update set
    started_at = least(f.started_at, excluded.started_at),
    -- The channel of the earliest start (a conversation normally starts once).
    channel = case when excluded.started_at < f.started_at then excluded.channel
      else coalesce(f.channel, excluded.channel) end,
    engaged_at = least(f.engaged_at, excluded.engaged_at),
    form_completed_at = least(f.form_completed_at, excluded.form_completed_at),
    lead_at = least(f.lead_at, excluded.lead_at), sql_at = least(f.sql_at, excluded.sql_at),
    deal_at = least(f.deal_at, excluded.deal_at), won_at = least(f.won_at, excluded.won_at),
    last_at = greatest(f.last_at, excluded.last_at)
)
select ins.id, ins.type, ins.occurred_at, ins.conversation_id, ins.detail, ins.value,
  (select z.time_zone from tenants z where z.id = ${t}) as time_zone
from ins;
COMMIT`;
  const client = await db.pool.connect();
  const started = performance.now();
  db.stats.roundTrips++;
  try {
    const results = (await client.query(text)) as unknown as { rows: unknown[] }[];
    const rowsOut = (results[4]?.rows ?? []) as (Omit<InsertedEvent, "occurred_at"> & {
      occurred_at: Date | string;
      time_zone: string;
    })[];
    const inserted = rowsOut.map((r) => ({
      id: r.id,
      type: r.type,
      occurred_at: new Date(r.occurred_at).toISOString(),
      conversation_id: r.conversation_id,
      detail: r.detail,
      value: r.value === null ? null : Number(r.value),
    }));
    return { inserted, timeZone: rowsOut[0]?.time_zone ?? null };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    db.stats.ms += performance.now() - started;
    client.release();
  }
}
