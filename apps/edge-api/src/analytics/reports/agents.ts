import type { Tx } from "@autopilot/db";
import { avg, type ReportQuery, type ReportResult, type ReportRow, sortRows } from "./query.js";
import { groupRows, rollupSums, total } from "./sql.js";

/**
 * Agents and reps per period and person: average first response (agent replies that answered a
 * customer message), average resolution time of the conversations they closed, handoffs accepted,
 * leads assigned, deals won and revenue by currency (`revenue_EUR`…).
 */
export async function agentsReport(
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
    ["message.sent", "conversation.closed", "handoff.accepted", "lead.assigned", "deal.won", "csat.recorded"],
    ["owner_id", "detail", "currency"],
  );
  const groups = groupRows(
    rows.filter((r) => r.owner_id !== ""),
    (r) => `${r.period}\u0000${r.owner_id}`,
  );
  const out = [...groups.values()].map((g) => {
    const first = g[0] as (typeof g)[number];
    const replies = (r: (typeof g)[number]) => r.type === "message.sent" && r.detail === "agent";
    const closed = (r: (typeof g)[number]) => r.type === "conversation.closed";
    const csat = (r: (typeof g)[number]) => r.type === "csat.recorded";
    const row: ReportRow = {
      period: first.period,
      ownerId: first.owner_id,
      firstResponses: total(g, replies, "value_count"),
      avgFirstResponseSeconds: avg(total(g, replies, "value_sum"), total(g, replies, "value_count")),
      conversationsClosed: total(g, closed),
      avgResolutionSeconds: avg(total(g, closed, "value_sum"), total(g, closed, "value_count")),
      handoffsAccepted: total(g, (r) => r.type === "handoff.accepted"),
      leadsAssigned: total(g, (r) => r.type === "lead.assigned"),
      dealsWon: total(g, (r) => r.type === "deal.won"),
      csatAverage: avg(total(g, csat, "value_sum"), total(g, csat, "value_count")),
    };
    for (const r of g) {
      if (r.type !== "deal.won") continue;
      const key = `revenue_${r.currency}`;
      row[key] = ((row[key] as number | undefined) ?? 0) + r.value_sum;
    }
    return row;
  });
  return { rows: sortRows(out, ["period", "ownerId"]) };
}
