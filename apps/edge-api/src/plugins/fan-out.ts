import { type Database, pluginInstalls, withTenant } from "@autopilot/db";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";

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

/** Per isolate, per tenant: who subscribes to what, for SUBSCRIBERS_TTL_MS (an install applies within it). */
const SUBSCRIBERS_TTL_MS = 10_000;
const cache = new Map<string, { at: number; subscribers: Subscriber[] }>();

export function forgetSubscribers(tenantId?: string): void {
  if (tenantId) cache.delete(tenantId);
  else cache.clear();
}

async function subscribers(db: Database, tenantId: string, now: number): Promise<Subscriber[]> {
  const hit = cache.get(tenantId);
  if (hit && now - hit.at < SUBSCRIBERS_TTL_MS) return hit.subscribers;
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
  const list = rows.filter((r) => Array.isArray(r.types) && r.types.length > 0);
  if (cache.size > 5_000) cache.clear();
  cache.set(tenantId, { at: now, subscribers: list });
  return list;
}

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
