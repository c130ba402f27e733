import type { Tx } from "@autopilot/db";
import { type SQL, sql } from "drizzle-orm";
import { ensureDailyRollups } from "../daily.js";
import type { ReportQuery } from "./query.js";

export type RollupRow = {
  period: string;
  type: string;
  channel: string;
  route_id: string;
  owner_id: string;
  detail: string;
  step: string;
  currency: string;
  count: number;
  value_sum: number;
  value_count: number;
};

type Dim = "channel" | "route_id" | "owner_id" | "detail" | "step" | "currency";

/**
 * Sums the daily rollups (tenant-local days; rebuilt first if kept for another zone) of `types` over
 * the range, by period and the given dimensions (others collapse to ''). Filters apply to the
 * dimension columns. Daily rows make a year's report read ~365 rows per series instead of ~35,000.
 */
export async function rollupSums(
  tx: Tx,
  tenantId: string,
  q: ReportQuery,
  timeZone: string,
  types: string[],
  dims: Dim[],
): Promise<RollupRow[]> {
  await ensureDailyRollups(tx, tenantId, timeZone);
  const all: Dim[] = ["channel", "route_id", "owner_id", "detail", "step", "currency"];
  const cols = all.map((d) => (dims.includes(d) ? sql.raw(`${d}`) : sql.raw(`''::text`)));
  const filters: SQL[] = [];
  if (q.channel) filters.push(sql`and channel = ${q.channel}`);
  if (q.routeId) filters.push(sql`and route_id = ${q.routeId}`);
  if (q.ownerId) filters.push(sql`and owner_id = ${q.ownerId}`);
  const res = await tx.execute<RollupRow>(sql`
    select to_char(date_trunc(${q.groupBy}, day::timestamp), 'YYYY-MM-DD') as period, type,
      ${sql.join(
        cols.map((c, i) => sql`${c} as ${sql.raw(all[i] as string)}`),
        sql`, `,
      )},
      sum(count)::float8 as count, sum(value_sum)::float8 as value_sum, sum(value_count)::float8 as value_count
    from analytics_rollups_daily
    where tenant_id = ${tenantId}::uuid and time_zone = ${timeZone}
      and type = any(string_to_array(${types.join(",")}, ','))
      and day >= ${q.from}::date and day <= ${q.to}::date ${sql.join(filters, sql` `)}
    group by 1, 2, 3, 4, 5, 6, 7, 8
    order by 1, 2, 3, 4, 5, 6, 7, 8`);
  return res.rows.map((r) => ({
    ...r,
    count: Number(r.count),
    value_sum: Number(r.value_sum),
    value_count: Number(r.value_count),
  }));
}

/** Groups rollup rows by a key and lets a report fold each group into one output row. */
export function groupRows<K extends string>(
  rows: RollupRow[],
  keyOf: (r: RollupRow) => K,
): Map<K, RollupRow[]> {
  const out = new Map<K, RollupRow[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = out.get(k) ?? [];
    list.push(r);
    out.set(k, list);
  }
  return out;
}

/** Sum of count (or value_sum / value_count) over the rows matching a predicate. */
export function total(
  rows: RollupRow[],
  pick: (r: RollupRow) => boolean,
  field: "count" | "value_sum" | "value_count" = "count",
): number {
  let s = 0;
  for (const r of rows) if (pick(r)) s += r[field];
  return s;
}

/** The period of a daily rollup's `day` (already tenant-local), as a timestamp to group by. */
export function dailyBucket(q: ReportQuery): SQL {
  return sql`date_trunc(${q.groupBy}, day::timestamp)`;
}

/** The period of a daily rollup's `day`, formatted (per row: where rows are many, group by dailyBucket). */
export function dailyPeriod(q: ReportQuery): SQL {
  return sql`to_char(${dailyBucket(q)}, 'YYYY-MM-DD')`;
}
