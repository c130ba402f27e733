import { type Database, lookups } from "@autopilot/db";
import { AppError } from "../domain/errors.js";
import { getInstall, type InstallRecord } from "./installs.js";

/**
 * The install an inbound webhook call is for. The caller has no credentials: the install id names the
 * workspace (found before any tenant is set), and only hooks the manifest declares exist.
 */
export async function hookTarget(
  db: Database,
  installId: string,
  name: string,
  masterKey?: string,
): Promise<InstallRecord> {
  const tenantId = await lookups.pluginInstallTenant(db, installId);
  if (!tenantId) throw new AppError("not_found", "hook not found");
  const install = await getInstall(db, tenantId, installId, masterKey);
  if (!install.manifest.webhooks.some((w) => w.name === name))
    throw new AppError("not_found", "hook not found");
  // The provider retries: a paused plugin answers 503 with a time to come back.
  if (install.status !== "active") throw new AppError("unavailable", "the plugin is paused", undefined, 300);
  return install;
}
