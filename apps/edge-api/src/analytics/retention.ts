import { type Database, lookups, withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import type { Logger } from "../lib/log.js";
import { foldEvents } from "./fold.js";

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
  const due = await lookups.analyticsRetentionDue(db, maxTenants);
  let deleted = 0;
  for (const { tenant_id: tenantId, retention_days: days } of due) {
    const n = await withTenant(db, tenantId, async (tx) => {
      // Whatever is stored is in the rollups before any of it goes (then both go together).
      await foldEvents(tx, tenantId);
      const cutoff = sql`now() - make_interval(days => ${days})`;
      const res = await tx.execute(sql`
        delete from analytics_events where id in (
          select id from analytics_events
          where tenant_id = ${tenantId}::uuid and occurred_at < ${cutoff}
          limit ${chunk})`);
      await tx.execute(
        sql`delete from analytics_rollups where tenant_id = ${tenantId}::uuid and bucket < date_bin('15 minutes', ${cutoff}, timestamptz '2000-01-01 00:00:00+00')`,
      );
      for (const table of ["analytics_rollups_daily", "analytics_funnel_daily"]) {
        await tx.execute(
          sql`delete from ${sql.identifier(table)} where tenant_id = ${tenantId}::uuid and day < ((${cutoff}) at time zone time_zone)::date`,
        );
      }
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

/** How long set-aside (rejected) events are kept when EVENTS_REJECTED_RETENTION_DAYS is unset. */
export const DEFAULT_REJECTED_RETENTION_DAYS = 30;

/**
 * The cron's sweep of the two places failed events wait for a person: dead letters older than their
 * tenant's dead_letter_retention_days (analytics_settings, default 30; replayed or not — the count
 * of never-replayed ones dropped is logged), and set-aside poison messages (events_rejected,
 * tenant-less) older than `rejectedDays` (EVENTS_REJECTED_RETENTION_DAYS). Bounded chunks per run.
 */
export async function pruneFailedEvents(
  db: Database,
  log: Logger,
  rejectedDays: number,
  maxTenants = 200,
  chunk = 5000,
): Promise<{ deadLetters: number; rejected: number }> {
  const due = await lookups.deadLettersDue(db, maxTenants);
  let deadLetters = 0;
  for (const { tenant_id: tenantId, days } of due) {
    const res = await withTenant(db, tenantId, (tx) =>
      tx.execute<{ replayed: boolean }>(sql`
        delete from analytics_dead_letters where id in (
          select id from analytics_dead_letters
          where tenant_id = ${tenantId}::uuid and created_at < now() - make_interval(days => ${days})
          limit ${chunk})
        returning replayed_at is not null as replayed`),
    );
    const unreplayed = res.rows.filter((r) => !r.replayed).length;
    if (unreplayed > 0) log.warn("dead letters expired without a replay", { tenantId, count: unreplayed });
    deadLetters += res.rows.length;
  }
  const rejected = await db.query(
    `delete from events_rejected where id in (
       select id from events_rejected where created_at < now() - make_interval(days => $1) limit $2)
     returning id`,
    [rejectedDays, chunk],
  );
  if (deadLetters + rejected.length > 0)
    log.info("failed events pruned", { deadLetters, rejected: rejected.length });
  return { deadLetters, rejected: rejected.length };
}

/** EVENTS_REJECTED_RETENTION_DAYS, or the default when unset or not a positive whole number. */
export function rejectedRetentionDays(env: { EVENTS_REJECTED_RETENTION_DAYS?: string }): number {
  const days = Number(env.EVENTS_REJECTED_RETENTION_DAYS);
  return Number.isInteger(days) && days > 0 ? days : DEFAULT_REJECTED_RETENTION_DAYS;
}
