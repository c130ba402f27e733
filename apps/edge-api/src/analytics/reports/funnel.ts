import type { Tx } from "@autopilot/db";
import { sql } from "drizzle-orm";
import { type ReportQuery, type ReportResult, ratio } from "./query.js";
import { periodOf, rangeOf } from "./sql.js";

type FunnelRow = {
  period: string;
  started: number;
  engaged: number;
  form_completed: number;
  lead: number;
  sql: number;
  deal: number;
  won: number;
};

/**
 * The funnel as a cohort: conversations started in the range (by tenant-local period of their start),
 * followed through engaged (the visitor wrote) → form completed → lead → SQL → deal → won, whenever
 * those happen (so later events are read from the range's start onwards, without an upper bound).
 * Links go through event subjects: conversation id on lead.created, lead id on deal events (see
 * SUBJECT_KEYS in packages/sdk). Each stage counts the cohort's conversations that reached it.
 * Raw events, not rollups: a cohort needs per-conversation joins.
 */
export async function funnelReport(
  tx: Tx,
  tenantId: string,
  q: ReportQuery,
  tz: string,
): Promise<ReportResult> {
  const { start, end } = rangeOf(q, tz);
  const channel = q.channel ? sql`and channel = ${q.channel}` : sql``;
  const later = (type: string) =>
    sql`select * from analytics_events where tenant_id = ${tenantId}::uuid and type = ${type} and occurred_at >= ${start}`;
  const res = await tx.execute<FunnelRow>(sql`
    with cohort as (
      select conversation_id, min(occurred_at) as started_at from analytics_events
      where tenant_id = ${tenantId}::uuid and type = 'conversation.started'
        and occurred_at >= ${start} and occurred_at < ${end} and conversation_id is not null ${channel}
      group by conversation_id
    ),
    engaged as (select distinct conversation_id from (${later("message.received")}) e),
    forms as (select distinct conversation_id from (${later("form.completed")}) f),
    leads as (
      select distinct conversation_id, lead_id from (${later("lead.created")}) l
      where conversation_id is not null and lead_id is not null
    ),
    sql_leads as (
      select distinct lead_id from (${later("lead.status_changed")}) s where detail in ('sql', 'converted')
    ),
    deals as (select distinct lead_id, deal_id from (${later("deal.created")}) d where lead_id is not null),
    won as (select distinct deal_id from (${later("deal.won")}) w),
    lead_flags as (
      select l.conversation_id,
        bool_or(s.lead_id is not null) as is_sql,
        bool_or(d.deal_id is not null) as has_deal,
        bool_or(w.deal_id is not null) as is_won
      from leads l
      left join sql_leads s on s.lead_id = l.lead_id
      left join deals d on d.lead_id = l.lead_id
      left join won w on w.deal_id = d.deal_id
      group by l.conversation_id
    )
    select ${periodOf(sql`c.started_at`, q, tz)} as period,
      count(*)::int as started,
      count(e.conversation_id)::int as engaged,
      count(f.conversation_id)::int as form_completed,
      count(lf.conversation_id)::int as lead,
      count(*) filter (where lf.is_sql)::int as sql,
      count(*) filter (where lf.has_deal)::int as deal,
      count(*) filter (where lf.is_won)::int as won
    from cohort c
    left join engaged e on e.conversation_id = c.conversation_id
    left join forms f on f.conversation_id = c.conversation_id
    left join lead_flags lf on lf.conversation_id = c.conversation_id
    group by 1 order by 1`);
  return {
    rows: res.rows.map((r) => ({
      period: r.period,
      started: Number(r.started),
      engaged: Number(r.engaged),
      formCompleted: Number(r.form_completed),
      leads: Number(r.lead),
      sqls: Number(r.sql),
      deals: Number(r.deal),
      won: Number(r.won),
      conversionRate: ratio(Number(r.won), Number(r.started)),
    })),
  };
}
