import { type Database, withTenant } from "@autopilot/db";
import { EVENT_VERSIONS } from "@autopilot/sdk";
import { sql } from "drizzle-orm";
import type { Logger } from "../lib/log.js";

const ALL_TYPES = Object.keys(EVENT_VERSIONS);

/**
 * The cron's retention sweep: for each tenant holding events older than its retention (default 400
 * days, analytics_settings), deletes them and their rollup buckets, in bounded chunks per run.
 * `type = ANY(all types)` lets the (tenant_id, type, occurred_at) index find old rows without a
 * second index on the ingest path.
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
          where tenant_id = ${tenantId}::uuid and type = any(string_to_array(${ALL_TYPES.join(",")}, ',')) and occurred_at < ${cutoff}
          limit ${chunk})`);
      await tx.execute(
        sql`delete from analytics_rollups where tenant_id = ${tenantId}::uuid and bucket < date_bin('15 minutes', ${cutoff}, timestamptz '2000-01-01 00:00:00+00')`,
      );
      await tx.execute(
        sql`delete from analytics_rollups_daily where tenant_id = ${tenantId}::uuid and day < ((${cutoff}) at time zone time_zone)::date`,
      );
      return res.rowCount ?? 0;
    });
    deleted += n;
  }
  if (deleted > 0) log.info("analytics retention", { tenants: due.length, deleted });
  return deleted;
}
