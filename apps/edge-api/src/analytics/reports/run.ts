import { type Database, withTenant } from "@autopilot/db";
import { AppError } from "../../domain/errors.js";
import { readyRollups } from "../fold.js";
import { REPORTS, type ReportName } from "./index.js";
import type { ReportFilter, ReportQuery, ReportResult } from "./query.js";

const FILTERS: ReportFilter[] = ["channel", "routeId", "ownerId"];

/**
 * Runs one report for one tenant (RLS-scoped), after refusing filters the report does not support and
 * folding the tenant's new events into the rollups.
 */
export async function runReport(
  db: Database,
  tenantId: string,
  timeZone: string,
  name: ReportName,
  q: ReportQuery,
): Promise<ReportResult> {
  const report = REPORTS[name];
  const allowed: readonly ReportFilter[] = report.filters;
  for (const f of FILTERS) {
    if (q[f] !== undefined && !allowed.includes(f)) {
      const message = `not supported by the ${name} report (supported: ${allowed.join(", ") || "none"})`;
      throw new AppError("invalid_request", `query.${f}: ${message}`, {
        issues: [{ field: `query.${f}`, code: "unsupported_filter", message }],
      });
    }
  }
  // The fold in a short transaction of its own: it holds the tenant's fold row until it commits, and
  // the dashboard asks for several reports at once, which would otherwise wait on one another.
  await withTenant(db, tenantId, (tx) => readyRollups(tx, tenantId, timeZone));
  return withTenant(db, tenantId, (tx) => report.run(tx, tenantId, q, timeZone));
}
