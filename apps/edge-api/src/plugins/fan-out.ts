import { type Database, pluginInstalls, withTenant } from "@autopilot/db";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { tenantCache } from "../lib/tenant-cache.js";

// Events to plugins: after the events consumer has taken a batch in, each event goes out once per
// active install of its tenant that subscribed to its type (and was granted events:subscribe), as one
// message on the plugin-deliveries queue. A batch taken twice sends twice; deliveries.ts runs each
// (install, event) once in effect.

export const DeliveryMessage = z.object({
  tenantId: z.uuid(),
  installId: z.uuid(),
  event: z.object({ id: z.uuid(), type: z.string(), tenantId: z.uuid() }).passthrough(),
});
export type DeliveryMessage = z.infer<typeof DeliveryMessage>;

type Subscriber = { installId: string; types: string[] };

/** Who subscribes to what, per tenant, for 10 s (an install applies within it). */
const cache = tenantCache<Subscriber[]>(10_000);

export const forgetSubscribers = (tenantId?: string): void => cache.forget(tenantId);

async function load(db: Database, tenantId: string): Promise<Subscriber[]> {
  const rows = await withTenant(db, tenantId, (tx) =>
    tx
      .select({
        installId: pluginInstalls.id,
        types: sql<string[]>`${pluginInstalls.manifest}->'subscriptions'`,
      })
      .from(pluginInstalls)
      .where(
        and(
          eq(pluginInstalls.status, "active"),
          sql`${pluginInstalls.grantedPermissions} ? 'events:subscribe'`,
        ),
      ),
  );
  return rows.filter((r) => Array.isArray(r.types) && r.types.length > 0);
}

const subscribers = (db: Database, tenantId: string, now: number) =>
  cache.get(tenantId, now, () => load(db, tenantId));

/** Queues a delivery for each subscribed install of each event's tenant; how many it queued. */
export async function fanOutToPlugins(
  db: Database,
  queue: Pick<Queue, "sendBatch">,
  events: { id: string; type: string; tenantId: string }[],
  now = Date.now(),
): Promise<number> {
  const byTenant = new Map<string, typeof events>();
  for (const e of events) {
    const list = byTenant.get(e.tenantId);
    if (list) list.push(e);
    else byTenant.set(e.tenantId, [e]);
  }
  const messages: { body: DeliveryMessage }[] = [];
  for (const [tenantId, list] of byTenant) {
    const subs = await subscribers(db, tenantId, now);
    for (const e of list)
      for (const s of subs)
        if (s.types.includes(e.type)) messages.push({ body: { tenantId, installId: s.installId, event: e } });
  }
  // sendBatch takes at most 100 messages.
  for (let i = 0; i < messages.length; i += 100) await queue.sendBatch(messages.slice(i, i + 100));
  return messages.length;
}
