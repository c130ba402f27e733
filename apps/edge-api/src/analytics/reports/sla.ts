import { type ReportFn, sortRows } from "./query.js";
import { groupRows, rollupSums, total } from "./sql.js";

/** SLA breaches per period, kind (first_touch / first_response) and owner. */
export const slaReport: ReportFn = async (tx, tenantId, q, tz) => {
  const rows = await rollupSums(tx, tenantId, q, tz, ["sla.breached"], ["owner_id", "detail"]);
  const groups = groupRows(rows, (r) => `${r.period}\u0000${r.detail}\u0000${r.owner_id}`);
  return {
    rows: sortRows(
      [...groups.values()].map((g) => {
        const first = g[0] as (typeof g)[number];
        return {
          period: first.period,
          kind: first.detail,
          ownerId: first.owner_id || null,
          breaches: total(g, () => true),
        };
      }),
      ["period", "kind", "ownerId"],
    ),
  };
};
