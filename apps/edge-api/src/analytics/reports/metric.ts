import type { Tx } from "@autopilot/db";
import { EVENT_TYPES } from "@autopilot/sdk";
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { readyRollups } from "../fold.js";
import { MAX_RANGE_DAYS } from "./query.js";

// One metric by dimensions over the workspace's rollups (what a report plugin's analytics.query asks):
// an event type's count, or the sum or average of its value, split by period, local hour of the week
// or an event dimension, over tenant-local days. Never raw events: day dimensions read the daily
// rollups, hour dimensions the 15-minute ones (every zone's offset is a multiple of 15 minutes).

const DIMENSION_COLUMN = {
  channel: "channel",
  route: "route_id",
  owner: "owner_id",
  detail: "detail",
  step: "step",
} as const;
type EventDimension = keyof typeof DIMENSION_COLUMN;
const HOUR_DIMENSIONS = ["hour_of_week", "weekday", "hour"] as const;
const day = z.iso.date();
const filterValue = z.string().trim().min(1).max(200);

export const metricQuerySchema = z
  .object({
    metric: z.enum(EVENT_TYPES),
    measure: z.enum(["count", "sum", "avg"]).default("count"),
    dimensions: z
      .array(z.enum(["period", ...HOUR_DIMENSIONS, "channel", "route", "owner", "detail", "step"]))
      .max(3)
      .default([]),
    from: day,
    to: day,
    groupBy: z.enum(["day", "week", "month"]).default("day"),
    filters: z
      .object({
        channel: filterValue,
        route: filterValue,
        owner: filterValue,
        detail: filterValue,
        step: filterValue,
      })
      .partial()
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((q, ctx) => {
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
    if (days < 0) ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
    else if (days >= MAX_RANGE_DAYS)
      ctx.addIssue({ code: "custom", path: ["to"], message: `range must be at most ${MAX_RANGE_DAYS} days` });
    if (new Set(q.dimensions).size !== q.dimensions.length)
      ctx.addIssue({ code: "custom", path: ["dimensions"], message: "each dimension at most once" });
    if (
      q.dimensions.includes("period") &&
      q.dimensions.some((d) => (HOUR_DIMENSIONS as readonly string[]).includes(d))
    )
      ctx.addIssue({
        code: "custom",
        path: ["dimensions"],
        message: "period and hour dimensions do not mix",
      });
  });
export type MetricQuery = z.infer<typeof metricQuerySchema>;
export type MetricRow = Record<string, string | number | null> & { value: number | null };

export async function runMetric(
  tx: Tx,
  tenantId: string,
  timeZone: string,
  q: MetricQuery,
): Promise<MetricRow[]> {
  const hourly = q.dimensions.some((d) => (HOUR_DIMENSIONS as readonly string[]).includes(d));
  const local = sql`(bucket at time zone ${timeZone})`;
  const selects: SQL[] = q.dimensions.map((d) => {
    if (d === "period") return sql`to_char(date_trunc(${q.groupBy}, day::timestamp), 'YYYY-MM-DD') as period`;
    if (d === "hour_of_week")
      return sql`extract(isodow from ${local})::int || '-' || lpad(extract(hour from ${local})::int::text, 2, '0') as hour_of_week`;
    if (d === "weekday") return sql`extract(isodow from ${local})::int as weekday`;
    if (d === "hour") return sql`extract(hour from ${local})::int as hour`;
    return sql`${sql.raw(DIMENSION_COLUMN[d as EventDimension])} as ${sql.raw(d)}`;
  });
  const measure =
    q.measure === "count"
      ? sql`sum(count)::float8`
      : q.measure === "sum"
        ? sql`sum(value_sum)::float8`
        : sql`(sum(value_sum) / nullif(sum(value_count), 0))::float8`;
  const filters = Object.entries(q.filters).map(
    ([k, v]) => sql`and ${sql.raw(DIMENSION_COLUMN[k as EventDimension])} = ${v}`,
  );
  const range = hourly
    ? sql`bucket >= (${q.from}::date::timestamp at time zone ${timeZone})
        and bucket < ((${q.to}::date + 1)::timestamp at time zone ${timeZone})`
    : sql`time_zone = ${timeZone} and day >= ${q.from}::date and day <= ${q.to}::date`;
  await readyRollups(tx, tenantId, timeZone);
  const groups = q.dimensions.map((_, i) => sql.raw(String(i + 1)));
  const res = await tx.execute<MetricRow>(sql`
    select ${sql.join([...selects, sql`${measure} as value`], sql`, `)}
    from ${sql.raw(hourly ? "analytics_rollups" : "analytics_rollups_daily")}
    where tenant_id = ${tenantId}::uuid and type = ${q.metric} and ${range} ${sql.join(filters, sql` `)}
    ${groups.length ? sql`group by ${sql.join(groups, sql`, `)} order by ${sql.join(groups, sql`, `)}` : sql``}
    limit 5000`);
  return res.rows.map((r) => ({
    ...r,
    value: r.value === null ? null : Math.round(Number(r.value) * 1000) / 1000,
  }));
}
