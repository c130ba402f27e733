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
 * The forecast for one currency, read from the rollups the deal triggers keep (migrations 0019, 0026):
 * deal_forecast_rollup, deals summed by (month, owner, stage, forecast category) — a few hundred rows
 * whatever the number of deals — and deal_stage_outcomes for win rates. The engine's pure functions
 * turn them into categories, weighted amounts, win rates and velocity. Months are in the tenant's time
 * zone: open deals count in their expected close month (undated ones in every range, month null), won
 * deals in the month they closed.
 */
export async function forecast(db: Database, tenantId: string, q: ForecastQuery) {
  return withTenant(db, tenantId, async (tx) => {
    const pipeline = q.pipelineId ? sql`and r.pipeline_id = ${q.pipelineId}` : sql``;
    const from = q.from ? Number(q.from.replace("-", "")) : null;
    const to = q.to ? Number(q.to.replace("-", "")) : null;
    // Probability and category are the stage's at read time (editing a stage leaves the rollup as it
    // is). Month 0 is undated.
    const grouped = await tx.execute<{
      ym: number;
      owner_id: string | null;
      category: StageCategory;
      forecast_category: ForecastCategory;
      probability: number;
      amount: number;
      count: number;
      cycle_days: number | null;
    }>(sql`
      select r.month as ym, r.owner_id, s.category, r.forecast_category, s.probability,
             sum(r.amount)::float8 as amount, sum(r.deals)::int as count,
             (sum(r.cycle_seconds) / 86400)::float8 as cycle_days
      from deal_forecast_rollup r join stages s on s.tenant_id = r.tenant_id and s.id = r.stage_id
      where r.tenant_id = ${tenantId} and r.currency = ${q.currency} and r.deals <> 0 ${pipeline}
      group by 1, 2, 3, 4, 5`);
    const month = (ym: number) =>
      ym === 0 ? null : `${Math.floor(ym / 100)}-${String(ym % 100).padStart(2, "0")}`;
    // Open deals with no close date belong to every range: they are in the pipeline all the same.
    const inRange = (ym: number) => ym === 0 || ((from === null || ym >= from) && (to === null || ym <= to));
    const rows: ForecastRow[] = grouped.rows
      .filter((r) => inRange(r.ym))
      .map((r) => ({
        month: month(r.ym),
        ownerId: r.owner_id,
        stageCategory: r.category,
        forecastCategory: r.forecast_category,
        probability: r.probability,
        amount: Number(r.amount),
        count: r.count,
      }));
    const cells = forecastByMonthAndOwner(rows);
    // Win rates: closed deals that reached each stage (stage history), kept by the same triggers;
    // stages deleted since drop out.
    const reach = await tx.execute<{ stage_id: string; won: number; lost: number }>(sql`
      select r.stage_id, sum(r.won)::int as won, sum(r.lost)::int as lost
      from deal_stage_outcomes r join stages s on s.tenant_id = r.tenant_id and s.id = r.stage_id
      where r.tenant_id = ${tenantId} and r.currency = ${q.currency} ${pipeline}
      group by r.stage_id having sum(r.won) + sum(r.lost) > 0`);
    const all = grouped.rows;
    const sum = (cat: StageCategory, f: (r: (typeof all)[number]) => number) =>
      all.filter((r) => r.category === cat).reduce((acc, r) => acc + f(r), 0);
    const wonDeals = sum("won", (r) => r.count);
    return {
      currency: q.currency,
      cells,
      totals: sumForecast(cells),
      winRateByStage: winRateByStage(
        reach.rows.map((r) => ({ stageId: r.stage_id, won: r.won, lost: r.lost })),
      ),
      velocity: salesVelocity({
        openDeals: sum("open", (r) => r.count),
        wonDeals,
        lostDeals: sum("lost", (r) => r.count),
        wonAmount: sum("won", (r) => Number(r.amount)),
        averageCycleDays: wonDeals === 0 ? 0 : sum("won", (r) => Number(r.cycle_days ?? 0)) / wonDeals,
      }),
    };
  });
}
