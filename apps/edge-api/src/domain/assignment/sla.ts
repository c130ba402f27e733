import { type Database, leads, memberships, notifications, users, withTenant } from "@autopilot/db";
import { and, eq, isNotNull, isNull, lte } from "drizzle-orm";
import { recordEvent } from "../../events/outbox.js";
import { links } from "../../mail/links.js";
import type { Mailer } from "../../mail/mailer.js";
import { assignLeadInTx } from "./assign-lead.js";

/**
 * First-touch SLA: every lead whose owner has not touched it by `sla_due_at` is reported
 * (sla.breached), its owner is told in the app and by mail, and it is reassigned by the rules to
 * someone else (or to the fallback queue). At most `limit` leads per run; the cron runs every minute.
 */
export async function enforceFirstTouchSla(
  db: Database,
  tenantId: string,
  mailer: Mailer,
  appUrl: string,
  now = new Date(),
  limit = 50,
): Promise<number> {
  return withTenant(db, tenantId, async (tx) => {
    const due = await tx
      .select()
      .from(leads)
      .where(and(lte(leads.slaDueAt, now), isNull(leads.firstTouchedAt), isNotNull(leads.ownerId)))
      .limit(limit)
      .for("update", { skipLocked: true });
    for (const lead of due) {
      const ownerId = lead.ownerId as string;
      const dueAt = lead.slaDueAt as Date;
      await recordEvent(tx, {
        type: "sla.breached",
        tenantId,
        actor: { type: "system", id: null },
        subjects: { lead: lead.id, user: ownerId },
        properties: { kind: "first_touch", ownerId, dueAt: dueAt.toISOString() },
      });
      const title = `First-touch SLA missed: ${lead.title || "a lead"} was reassigned`;
      await tx.insert(notifications).values({
        tenantId,
        userId: ownerId,
        kind: "sla.breached",
        title,
        body: `It was due at ${dueAt.toISOString()}.`,
        data: { leadId: lead.id },
      });
      const [owner] = await tx
        .select({ email: users.email })
        .from(users)
        .innerJoin(memberships, eq(memberships.userId, users.id))
        .where(eq(users.id, ownerId));
      if (owner) {
        await mailer.send(tx, {
          tenantId,
          to: owner.email,
          subject: title,
          text: `The lead was due a first touch by ${dueAt.toISOString()} and has gone to a colleague.\n${links.lead(appUrl, lead.id)}`,
          kind: "notification",
        });
      }
      await assignLeadInTx(tx, tenantId, lead.id, {
        now,
        exclude: [ownerId],
        cause: `first-touch SLA missed by ${ownerId}`,
      });
    }
    return due.length;
  });
}
