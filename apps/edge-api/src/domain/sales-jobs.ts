import { type Database, lookups } from "@autopilot/db";
import type { Env } from "../env.js";
import type { Logger } from "../lib/log.js";
import { mailerFor } from "../mail/mailer.js";
import { enforceFirstTouchSla } from "./assignment/sla.js";
import { flagStaleDeals, sendTaskReminders } from "./deals/jobs.js";

const MAX_TENANTS_PER_RUN = 50;

/**
 * The sales cron (every minute): first-touch SLAs, then the deal jobs. Tenants with work due come
 * from a SECURITY DEFINER look-up; each tenant then runs in its own withTenant transactions. A
 * failing tenant is logged and skipped so one bad row cannot stop everyone's reminders.
 */
export async function runSalesJobs(
  db: Database,
  env: Pick<Env, "MAILER" | "APP_URL">,
  log: Logger,
  now = new Date(),
) {
  const tenants = await lookups.salesDueTenants(db, MAX_TENANTS_PER_RUN);
  const mailer = mailerFor(env.MAILER);
  let reassigned = 0;
  let stale = 0;
  let reminders = 0;
  for (const id of tenants) {
    try {
      reassigned += await enforceFirstTouchSla(db, id, mailer, env.APP_URL, now);
      stale += await flagStaleDeals(db, id, now);
      reminders += await sendTaskReminders(db, id, now);
    } catch (error) {
      log.warn("sales jobs failed for a tenant", { tenantId: id, error: String(error) });
    }
  }
  return { tenants: tenants.length, reassigned, stale, reminders };
}
