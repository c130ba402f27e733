import { type Database, memberships, notifications, users, withTenant } from "@autopilot/db";
import { and, eq, inArray } from "drizzle-orm";
import type { Mailer } from "../mail/mailer.js";
import type { InstallRecord } from "./installs.js";

/** An install the breaker paused: every admin of the workspace is told, in the app and by mail. */
export async function tellAdminsPaused(
  db: Database,
  mailer: Mailer,
  install: InstallRecord,
  reason: string,
  appUrl: string,
): Promise<void> {
  await tellAdmins(db, mailer, install, {
    title: `Plugin paused: ${install.manifest.name}`,
    body: `${install.manifest.name} ${install.version} failed repeatedly and was paused. Last error: ${reason}`,
    nextStep: `Resume it in Settings → Plugins once the cause is fixed: ${appUrl}/settings/plugins`,
  });
}

/** Tells every admin of the install's workspace something about it, in the app and by mail. */
export async function tellAdmins(
  db: Database,
  mailer: Mailer,
  install: Pick<InstallRecord, "tenantId" | "id" | "pluginId">,
  message: { title: string; body: string; nextStep: string },
): Promise<void> {
  const { title, body } = message;
  await withTenant(db, install.tenantId, async (tx) => {
    const admins = await tx
      .select({ userId: memberships.userId, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.tenantId, install.tenantId), inArray(memberships.role, ["owner", "admin"])));
    for (const admin of admins) {
      await tx.insert(notifications).values({
        tenantId: install.tenantId,
        userId: admin.userId,
        kind: "plugin.paused",
        title,
        body: body.slice(0, 1000),
        data: { installId: install.id, pluginId: install.pluginId },
      });
      await mailer.send(tx, {
        tenantId: install.tenantId,
        to: admin.email,
        subject: title,
        text: `${body}\n\n${message.nextStep}\n`,
        kind: "notification",
      });
    }
  });
}
