import { type Database, withTenant } from "@autopilot/db";
import {
  type ForecastCategory,
  type ForecastRow,
  forecastByMonthAndOwner,
  type StageCategory,
  salesVelocity,
  sumForecast,
  winRateByStage,
} from "@autopilot/engine";
import { sql } from "drizzle-orm";

export type ForecastQuery = { pipelineId?: string; currency: string; from?: string; to?: string };

/**
 * The forecast for one currency: the database sums deals by (month, owner, stage category, forecast
 * category, probability) — a few hundred rows whatever the number of deals — and the engine's pure
 * functions turn them into categories, weighted amounts, win rates and velocity. Months are UTC;
 * open deals count in their expected close month, won deals in the month they closed.
 */
export async function forecast(db: Database, tenantId: string, q: ForecastQuery) {
  return withTenant(db, tenantId, async (tx) => {
    const pipeline = q.pipelineId ? sql`and d.pipeline_id = ${q.pipelineId}` : sql``;
    const grouped = await tx.execute<{
      month: string | null;
      owner_id: string | null;
      category: StageCategory;
      forecast_category: ForecastCategory;
      probability: number;
      amount: number;
      count: number;
    }>(sql`
      select m.month, d.owner_id, s.category, d.forecast_category, s.probability,
             sum(d.amount)::float8 as amount, count(*)::int as count
      from deals d
      join stages s on s.id = d.stage_id
      cross join lateral (
        select to_char(case when s.category = 'won' then (d.closed_at at time zone 'UTC')::date else d.expected_close_date end, 'YYYY-MM') as month
      ) m
      where d.currency = ${q.currency} ${pipeline}
        and (${q.from ?? null}::text is null or m.month >= ${q.from ?? null})
        and (${q.to ?? null}::text is null or m.month <= ${q.to ?? null})
      group by 1, 2, 3, 4, 5`);
    const rows: ForecastRow[] = grouped.rows.map((r) => ({
      month: r.month,
      ownerId: r.owner_id,
      stageCategory: r.category,
      forecastCategory: r.forecast_category,
      probability: r.probability,
      amount: Number(r.amount),
      count: r.count,
    }));
    const cells = forecastByMonthAndOwner(rows);
    const reach = await tx.execute<{ stage_id: string; won: number; lost: number }>(sql`
      select h.to_stage_id as stage_id,
             count(distinct d.id) filter (where s.category = 'won')::int as won,
             count(distinct d.id) filter (where s.category = 'lost')::int as lost
      from deal_stage_history h
      join deals d on d.id = h.deal_id
      join stages s on s.id = d.stage_id
      where d.currency = ${q.currency} ${pipeline}
      group by h.to_stage_id`);
    const [v] = (
      await tx.execute<{
        open: number;
        won: number;
        lost: number;
        won_amount: number;
        cycle_days: number | null;
      }>(sql`
        select count(*) filter (where s.category = 'open')::int as open,
               count(*) filter (where s.category = 'won')::int as won,
               count(*) filter (where s.category = 'lost')::int as lost,
               coalesce(sum(d.amount) filter (where s.category = 'won'), 0)::float8 as won_amount,
               avg(extract(epoch from d.closed_at - d.created_at) / 86400) filter (where s.category = 'won')::float8 as cycle_days
        from deals d join stages s on s.id = d.stage_id
        where d.currency = ${q.currency} ${pipeline}`)
    ).rows;
    return {
      currency: q.currency,
      cells,
      totals: sumForecast(cells),
      winRateByStage: winRateByStage(
        reach.rows.map((r) => ({ stageId: r.stage_id, won: r.won, lost: r.lost })),
      ),
      velocity: salesVelocity({
        openDeals: v?.open ?? 0,
        wonDeals: v?.won ?? 0,
        lostDeals: v?.lost ?? 0,
        wonAmount: Number(v?.won_amount ?? 0),
        averageCycleDays: Number(v?.cycle_days ?? 0),
      }),
    };
  });
}
