import { type Database, lookups, type Tx, withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import type { Logger } from "../lib/log.js";
import { ensureDailyRollups } from "./daily.js";

// The second half of the analytics write path (migration 0059). Ingest only appends events; the fold
// adds the events not yet folded to the rollups and funnel tables, many batches at once. Reports fold
// first (runReport), so they are exact whatever the cron has done; the cron folds every tenant with
// new events each minute, so a report rarely has much left to fold.

/** Folds the tenant's new events, in the caller's tenant transaction; returns how many. */
export async function foldEvents(tx: Tx, tenantId: string): Promise<number> {
  const res = await tx.execute<{ n: number }>(sql`select analytics_fold(${tenantId}::uuid) as n`);
  return Number(res.rows[0]?.n ?? 0);
}

/**
 * What every read of the rollups does first, in its tenant transaction: the daily rollups complete for
 * the zone (a rebuild takes their lock exclusive, so before the fold takes it shared), then the new
 * events folded in. The read then counts every event stored before it began.
 */
export async function readyRollups(tx: Tx, tenantId: string, timeZone: string): Promise<void> {
  await ensureDailyRollups(tx, tenantId, timeZone);
  await foldEvents(tx, tenantId);
}

/** The cron's sweep: folds up to `maxTenants` tenants with new events, each in its own transaction. */
export async function foldDueTenants(db: Database, log: Logger, maxTenants = 200): Promise<number> {
  // Block ranges filled since the last look get their summary, so each fold's index scan of the tail
  // skips everything before it (autovacuum does this too where it runs; PGlite has none).
  await db.query("select brin_summarize_new_values('analytics_events_xid_brin'::regclass)");
  const due = await lookups.analyticsFoldDue(db, maxTenants);
  let folded = 0;
  for (const { tenant_id: tenantId } of due) {
    folded += await withTenant(db, tenantId, (tx) => foldEvents(tx, tenantId));
  }
  if (folded > 0) log.info("analytics fold", { tenants: due.length, folded });
  return folded;
}
