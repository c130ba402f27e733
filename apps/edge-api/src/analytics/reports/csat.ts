import { avg, type ReportFn } from "./query.js";
import { groupRows, rollupSums, total } from "./sql.js";

/** CSAT per period: responses, average score and the 1–5 distribution. */
export const csatReport: ReportFn = async (tx, tenantId, q, tz) => {
  const rows = await rollupSums(tx, tenantId, q, tz, ["csat.recorded"], ["detail"]);
  return {
    rows: [...groupRows(rows, (r) => r.period).entries()].map(([period, g]) => ({
      period,
      responses: total(g, () => true),
      average: avg(
        total(g, () => true, "value_sum"),
        total(g, () => true, "value_count"),
      ),
      score1: total(g, (r) => r.detail === "1"),
      score2: total(g, (r) => r.detail === "2"),
      score3: total(g, (r) => r.detail === "3"),
      score4: total(g, (r) => r.detail === "4"),
      score5: total(g, (r) => r.detail === "5"),
    })),
  };
};
