import type { Database } from "@autopilot/db";
import { notifyAdmins } from "../domain/notifications.js";
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
export function tellAdmins(
  db: Database,
  mailer: Mailer,
  install: Pick<InstallRecord, "tenantId" | "id" | "pluginId">,
  message: { title: string; body: string; nextStep: string },
): Promise<void> {
  return notifyAdmins(db, mailer, install.tenantId, {
    kind: "plugin.paused",
    ...message,
    data: { installId: install.id, pluginId: install.pluginId },
  });
}
