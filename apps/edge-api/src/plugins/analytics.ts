import { type Database, type Tx, tenants, withTenant } from "@autopilot/db";
import { z } from "zod";
import { REPORTS, type ReportName } from "../analytics/reports/index.js";
import { metricQuerySchema, runMetric } from "../analytics/reports/metric.js";
import { reportQuerySchema } from "../analytics/reports/query.js";
import { runReport } from "../analytics/reports/run.js";
import { AppError } from "../domain/errors.js";
import type { Install } from "./storage.js";

// The analytics capability (analytics:read): the workspace's built-in reports and single metrics over
// its rollups, in its time zone, for the installing workspace only (its id comes from the install's
// props, never from the plugin). A report plugin never sees raw events or SQL.

const ReportNameSchema = z.enum(Object.keys(REPORTS) as [ReportName, ...ReportName[]]);

async function timeZoneIn(tx: Tx): Promise<string> {
  const [tenant] = await tx.select({ timeZone: tenants.timeZone }).from(tenants).limit(1);
  return tenant?.timeZone ?? "UTC";
}

export async function analyticsCall(
  db: Database,
  install: Install,
  method: string,
  args: unknown[],
): Promise<unknown> {
  if (method === "query") {
    const query = metricQuerySchema.parse(args[0]);
    // The zone and the figures in one transaction.
    return withTenant(db, install.tenantId, async (tx) => {
      const timeZone = await timeZoneIn(tx);
      return { rows: await runMetric(tx, install.tenantId, timeZone, query), timeZone };
    });
  }
  if (method !== "report") throw new AppError("not_found", `analytics.${method}: no such method`);
  const name = ReportNameSchema.parse(args[0]);
  const query = reportQuerySchema.parse({ ...(args[1] as object), format: "json" });
  const timeZone = await withTenant(db, install.tenantId, timeZoneIn);
  const result = await runReport(db, install.tenantId, timeZone, name, query);
  return { rows: result.rows };
}
