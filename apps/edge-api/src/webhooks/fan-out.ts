import { type Database, webhookDeliveries, webhookEndpoints, withTenant } from "@autopilot/db";
import { eq, sql } from "drizzle-orm";
import { tenantCache } from "../lib/tenant-cache.js";
import type { WebhookJob } from "./deliveries.js";

// Events to webhook endpoints: after the events consumer took a batch in, each event becomes one
// delivery per active endpoint of its tenant that takes its type, stored (once per event and endpoint,
// however often the batch comes) and queued on webhook-deliveries.

type EventBody = {
  id: string;
  type: string;
  tenantId: string;
  time?: string;
  version?: number;
  actor?: unknown;
  subjects?: unknown;
  properties?: unknown;
};

type Subscriber = { id: string; eventTypes: string[] };

/** Each tenant's active endpoints, for 10 s (a change applies within it). */
const cache = tenantCache<Subscriber[]>(10_000);

export const forgetEndpoints = (tenantId?: string): void => cache.forget(tenantId);

const endpointsOf = (db: Database, tenantId: string, now: number) =>
  cache.get(tenantId, now, () =>
    withTenant(db, tenantId, (tx) =>
      tx
        .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes })
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.status, "active")),
    ),
  );

/** The body a receiver gets: Standard Webhooks' `{type, timestamp, data}`. */
export const payloadOf = (e: EventBody) => ({
  type: e.type,
  timestamp: e.time ?? new Date().toISOString(),
  data: {
    id: e.id,
    version: e.version ?? 1,
    actor: e.actor ?? null,
    subjects: e.subjects ?? {},
    properties: e.properties ?? {},
  },
});

/** Stores and queues a delivery per event and endpoint that takes it; how many it queued. */
export async function fanOutToWebhooks(
  db: Database,
  queue: Pick<Queue, "sendBatch">,
  events: EventBody[],
  now = Date.now(),
): Promise<number> {
  const byTenant = new Map<string, EventBody[]>();
  for (const e of events) byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), e]);
  const jobs: WebhookJob[] = [];
  for (const [tenantId, list] of byTenant) {
    const endpoints = await endpointsOf(db, tenantId, now);
    const rows = list.flatMap((e) =>
      endpoints
        .filter((ep) => ep.eventTypes.length === 0 || ep.eventTypes.includes(e.type))
        .map((ep) => ({
          tenantId,
          endpointId: ep.id,
          eventId: e.id,
          eventType: e.type,
          payload: payloadOf(e),
        })),
    );
    if (rows.length === 0) continue;
    const stored = await withTenant(db, tenantId, (tx) =>
      tx
        .insert(webhookDeliveries)
        .values(rows)
        // A batch taken again: a delivery not yet tried is queued again (its first queueing may have
        // been lost); one that was tried is left to its own schedule.
        .onConflictDoUpdate({
          target: [webhookDeliveries.tenantId, webhookDeliveries.endpointId, webhookDeliveries.eventId],
          set: { updatedAt: sql`${webhookDeliveries.updatedAt}` },
          setWhere: sql`${webhookDeliveries.status} = 'pending' and ${webhookDeliveries.attempts} = 0`,
        })
        .returning({ id: webhookDeliveries.id }),
    );
    for (const r of stored) jobs.push({ tenantId, deliveryId: r.id });
  }
  for (let i = 0; i < jobs.length; i += 100)
    await queue.sendBatch(jobs.slice(i, i + 100).map((body) => ({ body })));
  return jobs.length;
}
