import type { Tx } from "@autopilot/db";
import { sql } from "drizzle-orm";

/**
 * The lock that keeps daily rollups exact across a zone change: every fold holds it shared, taken
 * in its own statement before the fold statement's snapshot (the SQL function analytics_fold takes
 * the same key); a rebuild holds it exclusive. An advisory lock rather than a lock on the tenant row:
 * no WAL record or multixact per fold.
 */
export function dailyLockSql(tenantId: string, mode: "shared" | "exclusive"): string {
  if (!/^[0-9a-f-]{36}$/i.test(tenantId)) throw new Error("dailyLockSql: tenantId must be a UUID");
  const fn = mode === "shared" ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock";
  return `select ${fn}(hashtextextended('analytics_daily:${tenantId}', 0))`;
}

/**
 * Makes the tenant's daily rollups (tenant-local days) complete for `timeZone`, rebuilding them when
 * they are kept for another zone (the tenant changed its zone) or not yet at all: the event sums from
 * the 15-minute rollups, the funnel cohort (analytics_funnel_daily) from the per-conversation funnel. Exact under concurrent folds: the rebuild takes dailyLockSql exclusive, which waits for
 * in-flight folds (each holds it shared, taken before its statement reads the zone, see fold.ts)
 * and holds new ones back until the rebuilt rows and the new zone commit together. Events not yet
 * folded are in neither the 15-minute nor the daily rollups, so the fold that adds them adds both.
 * Runs inside the caller's tenant transaction.
 */
export async function ensureDailyRollups(tx: Tx, tenantId: string, timeZone: string): Promise<void> {
  const current = await tx.execute<{ time_zone: string }>(
    sql`select time_zone from analytics_daily_zones where tenant_id = ${tenantId}::uuid`,
  );
  if (current.rows[0]?.time_zone === timeZone) return;
  await tx.execute(sql.raw(dailyLockSql(tenantId, "exclusive")));
  const again = await tx.execute<{ time_zone: string }>(
    sql`select time_zone from analytics_daily_zones where tenant_id = ${tenantId}::uuid`,
  );
  if (again.rows[0]?.time_zone === timeZone) return; // another request rebuilt it meanwhile
  await tx.execute(sql`delete from analytics_rollups_daily where tenant_id = ${tenantId}::uuid`);
  await tx.execute(sql`delete from analytics_funnel_daily where tenant_id = ${tenantId}::uuid`);
  await tx.execute(sql`
    insert into analytics_funnel_daily (tenant_id, time_zone, day, channel, started, engaged,
      form_completed, leads, sqls, deals, won)
    select tenant_id, ${timeZone}, (started_at at time zone ${timeZone})::date, coalesce(channel, ''),
      count(*), count(engaged_at), count(form_completed_at), count(lead_at), count(sql_at), count(deal_at),
      count(won_at)
    from analytics_funnel where tenant_id = ${tenantId}::uuid and started_at is not null
    group by tenant_id, 3, 4`);
  await tx.execute(sql`
    insert into analytics_rollups_daily (tenant_id, time_zone, type, day, channel, route_id, owner_id, detail,
      step, currency, count, value_sum, value_count)
    select tenant_id, ${timeZone}, type, (bucket at time zone ${timeZone})::date, channel, route_id, owner_id,
      detail, step, currency, sum(count), sum(value_sum), sum(value_count)
    from analytics_rollups where tenant_id = ${tenantId}::uuid
    group by tenant_id, type, 4, channel, route_id, owner_id, detail, step, currency`);
  await tx.execute(sql`
    insert into analytics_daily_zones (tenant_id, time_zone) values (${tenantId}::uuid, ${timeZone})
    on conflict (tenant_id) do update set time_zone = excluded.time_zone, created_at = now()`);
}
