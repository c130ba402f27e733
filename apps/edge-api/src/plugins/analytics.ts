import { type Database, tenants, withTenant } from "@autopilot/db";
import { z } from "zod";
import { REPORTS, type ReportName } from "../analytics/reports/index.js";
import { reportQuerySchema } from "../analytics/reports/query.js";
import { runReport } from "../analytics/reports/run.js";
import { AppError } from "../domain/errors.js";
import type { Install } from "./storage.js";

// The analytics capability (analytics:read): the workspace's built-in reports over its rollups, in
// its time zone. A report plugin builds on these figures; it never sees rows of raw events or SQL.

const ReportNameSchema = z.enum(Object.keys(REPORTS) as [ReportName, ...ReportName[]]);

export async function analyticsCall(
  db: Database,
  install: Install,
  method: string,
  args: unknown[],
): Promise<unknown> {
  if (method !== "report") throw new AppError("not_found", `analytics.${method}: no such method`);
  const name = ReportNameSchema.parse(args[0]);
  const query = reportQuerySchema.parse({ ...(args[1] as object), format: "json" });
  const [tenant] = await withTenant(db, install.tenantId, (tx) =>
    tx.select({ timeZone: tenants.timeZone }).from(tenants).limit(1),
  );
  const result = await runReport(db, install.tenantId, tenant?.timeZone ?? "UTC", name, query);
  return { rows: result.rows };
}
