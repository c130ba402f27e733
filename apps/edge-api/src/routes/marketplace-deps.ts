import type { Context } from "hono";
import type { AppEnv } from "../env.js";
import { mailerFor } from "../mail/mailer.js";
import type { YankDeps } from "../marketplace/installs.js";

/** What a yank needs from the request: its developer and staff routes build it the same way. */
export const yankDeps = (c: Context<AppEnv>): YankDeps => ({
  db: c.get("db"),
  masterKey: c.env.AI_MASTER_KEY,
  mailer: mailerFor(c.env.MAILER),
  appUrl: c.env.APP_URL,
});
