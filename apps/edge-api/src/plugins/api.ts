import { WorkerEntrypoint } from "cloudflare:workers";
import { openDatabase } from "@autopilot/db";
import { z } from "zod";
import { AppError } from "../domain/errors.js";
import type { Env } from "../env.js";
import { createLogger } from "../lib/log.js";
import { analyticsCall } from "./analytics.js";
import { companiesCall } from "./companies.js";
import { contactsCall } from "./contacts.js";
import { conversationsCall } from "./conversations.js";
import { dealsCall } from "./deals.js";
import { checkGrant } from "./grants.js";
import { storageCall } from "./storage.js";
import { syncCall } from "./sync.js";

// The host's side of a plugin's `ctx`: the one RPC entrypoint a loaded plugin holds (env.API). Who it
// serves is in its props, set by the host when loading and invisible to the plugin; every call is
// checked against the install's grants here, whatever the plugin's own code believes it may do.

export type PluginApiProps = {
  tenantId: string;
  installId: string;
  pluginId: string;
  permissions: string[];
  /** A channel plugin's channel id (its manifest's), else null. */
  channel: string | null;
};

export class PluginApi extends WorkerEntrypoint<Env, PluginApiProps> {
  async call(capability: unknown, method: unknown, args: unknown): Promise<unknown> {
    const props = this.ctx.props;
    const log = createLogger({ plugin: props.pluginId, install: props.installId });
    try {
      checkGrant(props.permissions, capability, method);
    } catch (error) {
      log.warn("plugin capability refused", { capability, method, error: String(error) });
      throw error;
    }
    const list = Array.isArray(args) ? args : [];
    const db = openDatabase({ url: this.env.DATABASE_URL, bridge: this.env.DB_BRIDGE });
    try {
      const install = { tenantId: props.tenantId, installId: props.installId };
      if (capability === "storage") return await storageCall(db, install, method as string, list);
      if (capability === "analytics") return await analyticsCall(db, install, method as string, list);
      if (capability === "sync") return await syncCall(db, install, method as string, list);
      if (capability === "conversations")
        return await conversationsCall(
          this.env,
          db,
          { ...install, channel: props.channel },
          method as string,
          list,
        );
      if (capability === "companies") return await companiesCall(db, install, method as string, list);
      if (capability === "deals") return await dealsCall(db, install, method as string, list);
      return await contactsCall(db, install, method as string, list);
    } catch (error) {
      // The plugin sees the reason for a bad argument, not the host's internals.
      if (error instanceof z.ZodError)
        throw new AppError("invalid_request", `${String(capability)}.${method}: ${z.prettifyError(error)}`);
      throw error;
    } finally {
      await db.end().catch(() => undefined);
    }
  }
}
