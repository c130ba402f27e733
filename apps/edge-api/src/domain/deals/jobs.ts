import { activities, type Database, deals, notifications, stages, withTenant } from "@autopilot/db";
import { and, eq, isNotNull, isNull, lte, sql } from "drizzle-orm";
import { loadSalesSettings } from "../leads/settings.js";

/**
 * Flags open deals with no activity (and no stage change) for the tenant's stale-deal days and
 * tells their owners; logging an activity clears the flag. At most `limit` deals per run.
 */
export async function flagStaleDeals(
  db: Database,
  tenantId: string,
  now = new Date(),
  limit = 200,
): Promise<number> {
  return withTenant(db, tenantId, async (tx) => {
    const { staleDealDays } = await loadSalesSettings(tx);
    const cutoff = new Date(now.getTime() - staleDealDays * 86_400_000);
    const stale = await tx
      .select({ id: deals.id, ownerId: deals.ownerId, title: deals.title })
      .from(deals)
      .innerJoin(stages, eq(stages.id, deals.stageId))
      .where(
        and(
          eq(stages.category, "open"),
          isNull(deals.staleFlaggedAt),
          lte(sql`coalesce(${deals.lastActivityAt}, ${deals.stageEnteredAt})`, cutoff),
        ),
      )
      .limit(limit);
    for (const d of stale) {
      await tx.update(deals).set({ staleFlaggedAt: now }).where(eq(deals.id, d.id));
      if (d.ownerId) {
        await tx.insert(notifications).values({
          tenantId,
          userId: d.ownerId,
          kind: "deal.stale",
          title: `Stale deal: ${d.title}`,
          body: `No activity for ${staleDealDays} days.`,
          data: { dealId: d.id },
        });
      }
    }
    return stale.length;
  });
}

/** Sends due task reminders as in-app notifications (once each). */
export async function sendTaskReminders(
  db: Database,
  tenantId: string,
  now = new Date(),
  limit = 200,
): Promise<number> {
  return withTenant(db, tenantId, async (tx) => {
    const due = await tx
      .select()
      .from(activities)
      .where(
        and(
          lte(activities.remindAt, now),
          isNull(activities.remindedAt),
          isNull(activities.completedAt),
          isNotNull(activities.ownerId),
        ),
      )
      .limit(limit);
    for (const a of due) {
      await tx.update(activities).set({ remindedAt: now }).where(eq(activities.id, a.id));
      await tx.insert(notifications).values({
        tenantId,
        userId: a.ownerId as string,
        kind: "task.reminder",
        title: `Reminder: ${a.subject || "task"}`,
        body: a.dueAt ? `Due ${a.dueAt.toISOString()}` : "",
        data: { activityId: a.id },
      });
    }
    return due.length;
  });
}
