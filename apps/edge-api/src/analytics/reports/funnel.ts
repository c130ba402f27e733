import { sql } from "drizzle-orm";
import { ensureDailyRollups } from "../daily.js";
import { type ReportFn, ratio } from "./query.js";
import { dailyPeriod } from "./sql.js";

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
 * those happen. Reads analytics_funnel_daily: per start day and channel, how many conversations
 * started and how many of them reached each stage, kept at ingest from the per-conversation funnel
 * (leads link through lead.created, deals through deal.created, see ingest.ts), so a year is ~365
 * rows per channel instead of one per conversation.
 */
export const funnelReport: ReportFn = async (tx, tenantId, q, tz) => {
  await ensureDailyRollups(tx, tenantId, tz);
  const channel = q.channel ? sql`and channel = ${q.channel}` : sql``;
  const res = await tx.execute<FunnelRow>(sql`
    select ${dailyPeriod(q)} as period, sum(started)::float8 as started, sum(engaged)::float8 as engaged,
      sum(form_completed)::float8 as form_completed, sum(leads)::float8 as lead, sum(sqls)::float8 as sql,
      sum(deals)::float8 as deal, sum(won)::float8 as won
    from analytics_funnel_daily
    where tenant_id = ${tenantId}::uuid and time_zone = ${tz}
      and day >= ${q.from}::date and day <= ${q.to}::date ${channel}
    group by 1 having sum(started) <> 0 order by 1`);
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
};
