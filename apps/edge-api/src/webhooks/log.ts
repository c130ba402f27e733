import {
  type Database,
  type Tx,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  withTenant,
} from "@autopilot/db";
import { and, asc, desc, eq } from "drizzle-orm";
import { audit } from "../domain/audit.js";
import { AppError, notFound } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { messageIdOf, type WebhookJob } from "./deliveries.js";

// What was sent to an endpoint and what came back (each delivery, each try), sending one again, and
// a test event to see a receiver work before real events flow.

type DeliveryRow = typeof webhookDeliveries.$inferSelect;
type AttemptRow = typeof webhookAttempts.$inferSelect;
type Status = DeliveryRow["status"];

export type DeliveryView = {
  id: string;
  messageId: string;
  eventId: string;
  eventType: string;
  status: Status;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export type AttemptView = {
  attempt: number;
  at: string;
  request: { url: string; headers: Record<string, string>; body: string };
  statusCode: number | null;
  latencyMs: number;
  responseExcerpt: string;
  error: string | null;
};

const view = (d: DeliveryRow): DeliveryView => ({
  id: d.id,
  messageId: messageIdOf(d),
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});

const attemptView = (a: AttemptRow): AttemptView => ({
  attempt: a.attempt,
  at: a.createdAt.toISOString(),
  request: a.request,
  statusCode: a.statusCode,
  latencyMs: a.latencyMs,
  responseExcerpt: a.responseExcerpt,
  error: a.error,
});

export async function listDeliveries(
  db: Database,
  tenantId: string,
  endpointId: string,
  filter: { status?: Status; limit: number },
): Promise<DeliveryView[]> {
  const rows = await withTenant(db, tenantId, (tx) =>
    tx
      .select()
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.endpointId, endpointId),
          filter.status ? eq(webhookDeliveries.status, filter.status) : undefined,
        ),
      )
      .orderBy(desc(webhookDeliveries.createdAt))
      .limit(filter.limit),
  );
  return rows.map(view);
}

export async function deliveryDetail(
  db: Database,
  tenantId: string,
  endpointId: string,
  deliveryId: string,
): Promise<DeliveryView & { payload: unknown; tries: AttemptView[] }> {
  return withTenant(db, tenantId, async (tx) => {
    const [d] = await tx
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)));
    if (!d) throw notFound("delivery");
    const tries = await tx
      .select()
      .from(webhookAttempts)
      .where(eq(webhookAttempts.deliveryId, deliveryId))
      .orderBy(asc(webhookAttempts.attempt));
    return { ...view(d), payload: d.payload, tries: tries.map(attemptView) };
  });
}

async function activeEndpoint(tx: Tx, endpointId: string) {
  const [endpoint] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
  if (!endpoint) throw notFound("webhook endpoint");
  if (endpoint.status !== "active")
    throw new AppError("conflict", "status: the endpoint is disabled; enable it first");
  return endpoint;
}

/** Sends a delivery again from its first try (the same webhook-id, so a receiver can tell). */
export async function redeliver(
  db: Database,
  queue: Pick<Queue, "send">,
  p: Principal,
  endpointId: string,
  deliveryId: string,
): Promise<DeliveryView> {
  const row = await withTenant(db, p.tenantId, async (tx) => {
    await activeEndpoint(tx, endpointId);
    const [d] = await tx
      .update(webhookDeliveries)
      .set({ status: "pending", nextAttemptAt: null, updatedAt: new Date() })
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)))
      .returning();
    if (!d) throw notFound("delivery");
    await audit(tx, p, "webhook.redelivered", { type: "webhook_endpoint", id: endpointId }, { deliveryId });
    return d;
  });
  await queue.send({ tenantId: p.tenantId, deliveryId: row.id } satisfies WebhookJob);
  return view(row);
}

/** A `webhook.test` event for this endpoint only, through the same path as real ones. */
export async function sendTestEvent(
  db: Database,
  queue: Pick<Queue, "send">,
  p: Principal,
  endpointId: string,
): Promise<DeliveryView> {
  const eventId = crypto.randomUUID();
  const row = await withTenant(db, p.tenantId, async (tx) => {
    await activeEndpoint(tx, endpointId);
    const [d] = await tx
      .insert(webhookDeliveries)
      .values({
        tenantId: p.tenantId,
        endpointId,
        eventId,
        eventType: "webhook.test",
        payload: {
          type: "webhook.test",
          timestamp: new Date().toISOString(),
          data: { id: eventId, message: "A test event from AutopilotCRM: your endpoint is reachable." },
        },
      })
      .returning();
    if (!d) throw new AppError("internal", "the test delivery was not stored");
    return d;
  });
  await queue.send({ tenantId: p.tenantId, deliveryId: row.id } satisfies WebhookJob);
  return view(row);
}
