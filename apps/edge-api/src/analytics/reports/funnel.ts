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
 * those happen. Reads analytics_funnel, one row per conversation kept at ingest with the earliest
 * time of each stage (leads link through lead.created, deals through deal.created, see ingest.ts),
 * so the report is one scan by (tenant, started_at) instead of joining the raw events.
 */
export async function funnelReport(
  tx: Tx,
  tenantId: string,
  q: ReportQuery,
  tz: string,
): Promise<ReportResult> {
  const { start, end } = rangeOf(q, tz);
  const channel = q.channel ? sql`and channel = ${q.channel}` : sql``;
  const res = await tx.execute<FunnelRow>(sql`
    select ${periodOf(sql`started_at`, q, tz)} as period,
      count(*)::int as started,
      count(engaged_at)::int as engaged,
      count(form_completed_at)::int as form_completed,
      count(lead_at)::int as lead,
      count(sql_at)::int as sql,
      count(deal_at)::int as deal,
      count(won_at)::int as won
    from analytics_funnel
    where tenant_id = ${tenantId}::uuid and started_at >= ${start} and started_at < ${end} ${channel}
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
