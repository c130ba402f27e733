import type { Tx } from "@autopilot/db";
import { z } from "@hono/zod-openapi";

const date = z.iso.date().openapi({ example: "2026-11-01", description: "A day in the tenant's time zone" });
const filter = z.string().trim().min(1).max(200);

export const MAX_RANGE_DAYS = 731;

/** The query every report takes. Dates are tenant-local days, both inclusive. */
export const reportQuerySchema = z
  .object({
    from: date,
    to: date,
    groupBy: z.enum(["day", "week", "month"]).default("day"),
    channel: filter.optional(),
    routeId: filter.optional(),
    ownerId: filter.optional(),
    format: z.enum(["json", "csv"]).default("json"),
  })
  .superRefine((q, ctx) => {
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
    if (days < 0) ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
    else if (days >= MAX_RANGE_DAYS)
      ctx.addIssue({ code: "custom", path: ["to"], message: `range must be at most ${MAX_RANGE_DAYS} days` });
  });

export type ReportQuery = z.infer<typeof reportQuerySchema>;
export type ReportFilter = "channel" | "routeId" | "ownerId";

/** One flat row (CSV-ready): a period plus the report's columns. */
export type ReportRow = Record<string, string | number | null>;

export type ReportResult = { rows: ReportRow[]; [extra: string]: unknown };

/** A report: rows for the query, computed in the tenant's transaction and time zone. */
export type ReportFn = (tx: Tx, tenantId: string, q: ReportQuery, timeZone: string) => Promise<ReportResult>;

export const ratio = (num: number, den: number) =>
  den > 0 ? Math.round((num / den) * 10_000) / 10_000 : null;
export const avg = (sum: number, n: number) => (n > 0 ? Math.round((sum / n) * 100) / 100 : null);

/** Deterministic output order: by the given columns, as strings (periods are ISO dates). */
export function sortRows<R extends ReportRow>(rows: R[], keys: string[]): R[] {
  return rows.sort((a, b) => {
    for (const k of keys) {
      const c = String(a[k] ?? "").localeCompare(String(b[k] ?? ""));
      if (c !== 0) return c;
    }
    return 0;
  });
}
