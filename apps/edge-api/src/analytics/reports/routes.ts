import { sql } from "drizzle-orm";
import { ensureDailyRollups } from "../daily.js";
import { type ReportFn, ratio, sortRows } from "./query.js";
import { dailyPeriod } from "./sql.js";

type RouteRow = {
  kind: "period" | "step";
  period: string | null;
  route_id: string;
  step: string | null;
  detail: string | null;
  entered: number;
  completed: number;
  abandoned: number;
  handoffs: number;
  forms: number;
};

/**
 * Route performance per period and route: entered (route.selected), completed, abandoned, handed off
 * (abandoned for a handoff), forms completed; and over the whole range, where routes were abandoned
 * (step and reason). Summed in SQL from the daily rollups to the rows the report returns (a year by
 * day is ~365 rows per route), in one statement.
 */
export const routesReport: ReportFn = async (tx, tenantId, q, tz) => {
  await ensureDailyRollups(tx, tenantId, tz);
  const route = q.routeId ? sql`and route_id = ${q.routeId}` : sql``;
  const res = await tx.execute<RouteRow>(sql`
    with r as (
      select day, type, route_id, step, detail, count from analytics_rollups_daily
      where tenant_id = ${tenantId}::uuid and time_zone = ${tz}
        and type in ('route.selected', 'route.completed', 'route.abandoned', 'form.completed')
        and day >= ${q.from}::date and day <= ${q.to}::date ${route}
    )
    select 'period' as kind, ${dailyPeriod(q)} as period, route_id, null as step, null as detail,
      coalesce(sum(count) filter (where type = 'route.selected'), 0)::float8 as entered,
      coalesce(sum(count) filter (where type = 'route.completed'), 0)::float8 as completed,
      coalesce(sum(count) filter (where type = 'route.abandoned'), 0)::float8 as abandoned,
      coalesce(sum(count) filter (where type = 'route.abandoned' and detail = 'handoff'), 0)::float8 as handoffs,
      coalesce(sum(count) filter (where type = 'form.completed'), 0)::float8 as forms
    from r group by 2, 3
    union all
    select 'step', null, route_id, step, detail, 0, 0, sum(count)::float8, 0, 0
    from r where type = 'route.abandoned' group by 3, 4, 5`);
  const out = [];
  const abandonedAt = [];
  for (const r of res.rows) {
    if (r.kind === "step") {
      abandonedAt.push({
        routeId: r.route_id,
        stepId: r.step ?? "",
        reason: r.detail ?? "",
        count: Number(r.abandoned),
      });
      continue;
    }
    const entered = Number(r.entered);
    const completed = Number(r.completed);
    const handoffs = Number(r.handoffs);
    out.push({
      period: r.period ?? "",
      routeId: r.route_id,
      entered,
      completed,
      abandoned: Number(r.abandoned),
      handoffs,
      formsCompleted: Number(r.forms),
      completionRate: ratio(completed, entered),
      handoffRate: ratio(handoffs, entered),
    });
  }
  abandonedAt.sort(
    (a, b) => b.count - a.count || a.routeId.localeCompare(b.routeId) || a.stepId.localeCompare(b.stepId),
  );
  return { rows: sortRows(out, ["period", "routeId"]), abandonedAt };
};
