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
 * functions turn them into categories, weighted amounts, win rates and velocity. Months are in the
 * tenant's time zone; open deals count in their expected close month, won deals in the month they closed.
 */
export async function forecast(db: Database, tenantId: string, q: ForecastQuery) {
  return withTenant(db, tenantId, async (tx) => {
    const pipeline = q.pipelineId ? sql`and d.pipeline_id = ${q.pipelineId}` : sql``;
    const from = q.from ? Number(q.from.replace("-", "")) : null;
    const to = q.to ? Number(q.to.replace("-", "")) : null;
    // The sort-based plan spills ~7 MB to disk at the default 4 MB work_mem; a few MB lets both
    // queries aggregate in memory (local: this transaction only).
    await tx.execute(sql`set local work_mem = '32MB'`);
    // One scan of the deals serves the forecast cells and the velocity inputs. A deal's month is in
    // the tenant's time zone: open deals by expected close date (a calendar date already), closed
    // deals by when they closed, seen from the tenant's zone. Months are grouped as yyyymm integers
    // from date_part (float8: extract() is numeric and several times slower per row) and formatted here.
    const grouped = await tx.execute<{
      ym: number | null;
      owner_id: string | null;
      category: StageCategory;
      forecast_category: ForecastCategory;
      probability: number;
      amount: number;
      count: number;
      cycle_days: number | null;
    }>(sql`
      with z as (select time_zone from tenants where id = ${tenantId})
      select (date_part('year', m.x) * 100 + date_part('month', m.x))::int as ym, m.owner_id, m.category,
             m.forecast_category, m.probability, sum(m.amount)::float8 as amount, count(*)::int as count,
             sum(m.cycle_seconds / 86400)::float8 as cycle_days
      from (select case when s.category = 'open' then d.expected_close_date::timestamp
                        else d.closed_at at time zone z.time_zone end as x,
                   d.owner_id, s.category, d.forecast_category, s.probability, d.amount,
                   date_part('epoch', d.closed_at - d.created_at) as cycle_seconds
            from deals d join stages s on s.id = d.stage_id cross join z
            where d.tenant_id = ${tenantId} and d.currency = ${q.currency} ${pipeline}) m
      group by 1, 2, 3, 4, 5`);
    const month = (ym: number | null) =>
      ym === null ? null : `${Math.floor(ym / 100)}-${String(ym % 100).padStart(2, "0")}`;
    const inRange = (ym: number | null) =>
      (from === null || (ym !== null && ym >= from)) && (to === null || (ym !== null && ym <= to));
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
    // Win rates need only closed deals and the stages they passed through.
    const reach = await tx.execute<{ stage_id: string; won: number; lost: number }>(sql`
      select h.to_stage_id as stage_id,
             count(distinct h.deal_id) filter (where c.category = 'won')::int as won,
             count(distinct h.deal_id) filter (where c.category = 'lost')::int as lost
      from (select d.id, s.category from deals d join stages s on s.id = d.stage_id
            where d.tenant_id = ${tenantId} and d.currency = ${q.currency} and s.category <> 'open' ${pipeline}) c
      join deal_stage_history h on h.tenant_id = ${tenantId} and h.deal_id = c.id
      group by h.to_stage_id`);
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
