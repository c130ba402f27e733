import type { Tx } from "@autopilot/db";
import { type ReportQuery, type ReportResult, ratio, sortRows } from "./query.js";
import { groupRows, rollupSums, total } from "./sql.js";

/**
 * Route performance per period and route: entered (route.selected), completed, abandoned, handed off
 * (abandoned for a handoff), forms completed; and over the whole range, where routes were abandoned
 * (step and reason).
 */
export async function routesReport(
  tx: Tx,
  tenantId: string,
  q: ReportQuery,
  tz: string,
): Promise<ReportResult> {
  const rows = await rollupSums(
    tx,
    tenantId,
    q,
    tz,
    ["route.selected", "route.completed", "route.abandoned", "form.completed"],
    ["route_id", "detail", "step"],
  );
  const groups = groupRows(rows, (r) => `${r.period}\u0000${r.route_id}`);
  const out = [...groups.values()].map((g) => {
    const first = g[0] as (typeof g)[number];
    const entered = total(g, (r) => r.type === "route.selected");
    const completed = total(g, (r) => r.type === "route.completed");
    const handoffs = total(g, (r) => r.type === "route.abandoned" && r.detail === "handoff");
    return {
      period: first.period,
      routeId: first.route_id,
      entered,
      completed,
      abandoned: total(g, (r) => r.type === "route.abandoned"),
      handoffs,
      formsCompleted: total(g, (r) => r.type === "form.completed"),
      completionRate: ratio(completed, entered),
      handoffRate: ratio(handoffs, entered),
    };
  });
  const steps = groupRows(
    rows.filter((r) => r.type === "route.abandoned"),
    (r) => `${r.route_id}\u0000${r.step}\u0000${r.detail}`,
  );
  const abandonedAt = [...steps.values()]
    .map((g) => {
      const first = g[0] as (typeof g)[number];
      return {
        routeId: first.route_id,
        stepId: first.step,
        reason: first.detail,
        count: total(g, () => true),
      };
    })
    .sort(
      (a, b) => b.count - a.count || a.routeId.localeCompare(b.routeId) || a.stepId.localeCompare(b.stepId),
    );
  return { rows: sortRows(out, ["period", "routeId"]), abandonedAt };
}
