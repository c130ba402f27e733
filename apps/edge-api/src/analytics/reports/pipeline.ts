import { type ReportFn, type ReportRow, ratio, sortRows } from "./query.js";
import { groupRows, rollupSums, total } from "./sql.js";

/**
 * Pipeline per period and pipeline (deal events: created, won, lost with amounts by currency, win
 * rate) and the stages deals moved into. The weighted forecast by close month is the sales domain's
 * (issue 6): it reads current deal rows, not events, so this report leaves `forecast` to that
 * function — the seam is `forecast` below, null until it is wired in.
 */
export const pipelineReport: ReportFn = async (tx, tenantId, q, tz) => {
  const rows = await rollupSums(
    tx,
    tenantId,
    q,
    tz,
    ["deal.created", "deal.stage_changed", "deal.won", "deal.lost"],
    ["owner_id", "detail", "step", "currency"],
  );
  const groups = groupRows(rows, (r) => `${r.period}\u0000${r.detail}`);
  const out = [...groups.values()].map((g) => {
    const first = g[0] as (typeof g)[number];
    const won = total(g, (r) => r.type === "deal.won");
    const lost = total(g, (r) => r.type === "deal.lost");
    const row: ReportRow = {
      period: first.period,
      pipelineId: first.detail,
      dealsCreated: total(g, (r) => r.type === "deal.created"),
      stageMoves: total(g, (r) => r.type === "deal.stage_changed"),
      dealsWon: won,
      dealsLost: lost,
      winRate: ratio(won, won + lost),
    };
    for (const r of g) {
      const kind =
        r.type === "deal.created"
          ? "created"
          : r.type === "deal.won"
            ? "won"
            : r.type === "deal.lost"
              ? "lost"
              : null;
      if (!kind) continue;
      const key = `${kind}Amount_${r.currency}`;
      row[key] = ((row[key] as number | undefined) ?? 0) + r.value_sum;
    }
    return row;
  });
  const stages = groupRows(
    rows.filter((r) => r.type === "deal.stage_changed"),
    (r) => `${r.detail}\u0000${r.step}`,
  );
  const enteredStages = [...stages.values()].map((g) => {
    const first = g[0] as (typeof g)[number];
    return { pipelineId: first.detail, stageId: first.step, entered: total(g, () => true) };
  });
  return { rows: sortRows(out, ["period", "pipelineId"]), enteredStages, forecast: null };
};
