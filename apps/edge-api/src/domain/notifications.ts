import { type Database, memberships, notifications, users, withTenant } from "@autopilot/db";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Mailer } from "../mail/mailer.js";
import { notFound } from "./errors.js";

// A member's notifications (assignments, SLA breaches, route notify actions, task reminders): the
// newest 100, and marking one read. Written by the jobs and actions that notify.

export async function listNotifications(db: Database, tenantId: string, userId: string, unreadOnly: boolean) {
  const rows = await withTenant(db, tenantId, (tx) =>
    tx
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, userId), unreadOnly ? isNull(notifications.readAt) : undefined))
      .orderBy(desc(notifications.createdAt))
      .limit(100),
  );
  return rows.map((n) => ({
    id: n.id,
    kind: n.kind,
    title: n.title,
    body: n.body,
    data: n.data,
    readAt: n.readAt?.toISOString() ?? null,
    createdAt: n.createdAt.toISOString(),
  }));
}

export async function markNotificationRead(db: Database, tenantId: string, id: string): Promise<void> {
  const done = await withTenant(db, tenantId, (tx) =>
    tx
      .update(notifications)
      .set({ readAt: new Date() })
      .where(eq(notifications.id, id))
      .returning({ id: notifications.id }),
  );
  if (done.length === 0) throw notFound("notification");
}

/** Tells every owner and admin of a workspace something that needs them: in the app and by mail. */
export async function notifyAdmins(
  db: Database,
  mailer: Mailer,
  tenantId: string,
  message: { kind: string; title: string; body: string; nextStep: string; data: Record<string, unknown> },
): Promise<void> {
  await withTenant(db, tenantId, async (tx) => {
    const admins = await tx
      .select({ userId: memberships.userId, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.tenantId, tenantId), inArray(memberships.role, ["owner", "admin"])));
    for (const admin of admins) {
      await tx.insert(notifications).values({
        tenantId,
        userId: admin.userId,
        kind: message.kind,
        title: message.title,
        body: message.body.slice(0, 1000),
        data: message.data,
      });
      await mailer.send(tx, {
        tenantId,
        to: admin.email,
        subject: message.title,
        text: `${message.body}\n\n${message.nextStep}\n`,
        kind: "notification",
      });
    }
  });
}
