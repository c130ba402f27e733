import { type Database, notifications, withTenant } from "@autopilot/db";
import { and, desc, eq, isNull } from "drizzle-orm";
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
