import type { Database } from "@autopilot/db";
import type { Mailer } from "../mail/mailer.js";
import { getInstall } from "./installs.js";
import { invokePlugin, type PluginEnv } from "./invoke.js";

// After an install, an upgrade or a settings change, a plugin with webhooks is told their public URLs
// (its onInstall registers them with its provider: Telegram's setWebhook, a CRM's subscription). The
// call is recorded like any other, so a failed registration shows in the install's recent calls; the
// install itself stands either way (the admin fixes the settings and saves again).

export async function setUpInstall(
  deps: { env: PluginEnv; db: Database; mailer: Mailer },
  tenantId: string,
  installId: string,
  /** Where the API is reached from outside (PUBLIC_API_URL, else the request's origin). */
  apiOrigin: string,
): Promise<void> {
  const install = await getInstall(deps.db, tenantId, installId, deps.env.AI_MASTER_KEY);
  if (install.manifest.webhooks.length === 0 || install.status !== "active") return;
  const base = apiOrigin.replace(/\/+$/, "");
  const hooks = Object.fromEntries(
    install.manifest.webhooks.map((w) => [w.name, `${base}/v1/hooks/${install.id}/${w.name}`]),
  );
  await invokePlugin(deps, install, { kind: "install", hooks });
}
