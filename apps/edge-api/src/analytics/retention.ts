import { type Database, withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import type { Logger } from "../lib/log.js";

/**
 * The cron's retention sweep: for each tenant holding events older than its retention (default 400
 * days, analytics_settings), deletes them, their rollup buckets and funnel rows whose latest event
 * is older, in bounded chunks per run. Old events are found through the BRIN index on occurred_at
 * (events arrive roughly in time order), which costs ingest next to nothing.
 */
export async function enforceRetention(
  db: Database,
  log: Logger,
  maxTenants = 200,
  chunk = 5000,
): Promise<number> {
  const due = await db.query<{ tenant_id: string; retention_days: number }>(
    "select * from analytics_retention_due($1)",
    [maxTenants],
  );
  let deleted = 0;
  for (const { tenant_id: tenantId, retention_days: days } of due) {
    const n = await withTenant(db, tenantId, async (tx) => {
      const cutoff = sql`now() - make_interval(days => ${days})`;
      const res = await tx.execute(sql`
        delete from analytics_events where id in (
          select id from analytics_events
          where tenant_id = ${tenantId}::uuid and occurred_at < ${cutoff}
          limit ${chunk})`);
      await tx.execute(
        sql`delete from analytics_rollups where tenant_id = ${tenantId}::uuid and bucket < date_bin('15 minutes', ${cutoff}, timestamptz '2000-01-01 00:00:00+00')`,
      );
      await tx.execute(
        sql`delete from analytics_rollups_daily where tenant_id = ${tenantId}::uuid and day < ((${cutoff}) at time zone time_zone)::date`,
      );
      for (const table of ["analytics_funnel", "analytics_funnel_leads", "analytics_funnel_deals"]) {
        await tx.execute(
          sql`delete from ${sql.identifier(table)} where tenant_id = ${tenantId}::uuid and last_at < ${cutoff}`,
        );
      }
      return res.rowCount ?? 0;
    });
    deleted += n;
  }
  if (deleted > 0) log.info("analytics retention", { tenants: due.length, deleted });
  return deleted;
}
