import type { Context } from "hono";
import type { AppEnv } from "../env.js";
import { createLogger } from "../lib/log.js";
import { mailerFor } from "../mail/mailer.js";
import type { YankDeps } from "../marketplace/installs.js";
import { setUpInstall } from "../plugins/setup.js";

// What plugin routes need from the request, built one way for all of them.

/** A yank's dependencies: its developer and staff routes build them the same way. */
export const yankDeps = (c: Context<AppEnv>): YankDeps => ({
  db: c.get("db"),
  masterKey: c.env.AI_MASTER_KEY,
  mailer: mailerFor(c.env.MAILER),
  appUrl: c.env.APP_URL,
});

/** Where providers reach this API: PUBLIC_API_URL, else the origin this request came to. */
export const apiOrigin = (c: Context<AppEnv>): string => c.env.PUBLIC_API_URL || new URL(c.req.url).origin;

/**
 * Tells a just installed, upgraded or reconfigured plugin where its webhooks are. The install stands
 * whatever the plugin answers: the call is recorded and shown with the install's recent calls.
 */
export async function setUp(c: Context<AppEnv>, installId: string): Promise<void> {
  const origin = apiOrigin(c);
  await setUpInstall(
    { env: c.env, db: c.get("db"), mailer: mailerFor(c.env.MAILER) },
    c.get("principal").tenantId,
    installId,
    origin,
  ).catch((error: unknown) =>
    createLogger({ install: installId }).warn("plugin set-up failed", { error: String(error) }),
  );
}
