import {
  type Database,
  openDatabase,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  withTenant,
} from "@autopilot/db";
import { and, eq, inArray, lt, or, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { z } from "zod";
import { notifyAdmins } from "../domain/notifications.js";
import type { Env } from "../env.js";
import { outboundUrlProblem } from "../lib/address-policy.js";
import { createLogger, type Logger } from "../lib/log.js";
import { mailerFor } from "../mail/mailer.js";
import { signingSecrets } from "./endpoints.js";

// Consumer of the webhook-deliveries queue: one delivery per message, signed as Standard Webhooks 1.0
// says (`webhook-id`, `webhook-timestamp`, `webhook-signature` over `{id}.{timestamp}.{body}`, one
// `v1,` signature per valid secret), posted, and every try logged with what came back. A failure is
// tried again on the schedule below (about a day in all); 410 Gone disables the endpoint at once, and
// so does a delivery that failed every try; either way the workspace's admins are told.

export const WEBHOOK_DELIVERIES_QUEUE = "webhook-deliveries";
/** Waits before each retry: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (Standard Webhooks' advice). */
export const WEBHOOK_RETRY_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;
/** A receiver must answer within this. */
export const WEBHOOK_TIMEOUT_MS = 15_000;
const EXCERPT_CHARS = 1000;
/** A claim older than 2 minutes is taken over; a message that met a held one comes back after it. */
const STALE_CLAIM_SECONDS = 150;

export const WebhookJob = z.object({ tenantId: z.uuid(), deliveryId: z.uuid() });
export type WebhookJob = z.infer<typeof WebhookJob>;

type Delivery = typeof webhookDeliveries.$inferSelect;
type Endpoint = typeof webhookEndpoints.$inferSelect;
type Outcome = { statusCode: number | null; latencyMs: number; excerpt: string; error: string | null };

/** The `webhook-id`: the same on every try of one delivery, so receivers can drop repeats. */
export const messageIdOf = (d: Pick<Delivery, "eventId">) => `msg_${d.eventId.replaceAll("-", "")}`;

/**
 * Takes the delivery to send it: "done" when it went (or failed) already or is gone, "busy" while
 * another consumer holds it (that one may still fail: this message comes back after its claim is stale).
 */
async function claim(
  db: Database,
  job: WebhookJob,
): Promise<{ delivery: Delivery; endpoint: Endpoint } | "done" | "busy"> {
  return withTenant(db, job.tenantId, async (tx) => {
    const [delivery] = await tx
      .update(webhookDeliveries)
      .set({ status: "sending", updatedAt: new Date() })
      .where(
        and(
          eq(webhookDeliveries.id, job.deliveryId),
          or(
            inArray(webhookDeliveries.status, ["pending", "retrying"]),
            // A consumer that died mid-send: its claim goes stale.
            and(
              eq(webhookDeliveries.status, "sending"),
              lt(webhookDeliveries.updatedAt, sql`now() - interval '2 minutes'`),
            ),
          ),
        ),
      )
      .returning();
    if (!delivery) {
      const [held] = await tx
        .select({ status: webhookDeliveries.status })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.id, job.deliveryId));
      return held?.status === "sending" ? "busy" : "done";
    }
    const [endpoint] = await tx
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, delivery.endpointId));
    return endpoint ? { delivery, endpoint } : "done";
  });
}

/** The request as sent: the signed headers and the body. */
export async function signedRequest(
  delivery: Delivery,
  endpoint: Endpoint,
  masterKey: string | undefined,
  now = new Date(),
) {
  const body = JSON.stringify(delivery.payload);
  const id = messageIdOf(delivery);
  const signatures = await Promise.all(
    (await signingSecrets(endpoint, masterKey, now)).map((secret) => new Webhook(secret).sign(id, now, body)),
  );
  const headers = {
    "content-type": "application/json",
    "user-agent": "AutopilotCRM-Webhooks/1.0",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
  return { url: endpoint.url, headers, body };
}

async function post(request: {
  url: string;
  headers: Record<string, string>;
  body: string;
}): Promise<Outcome> {
  const started = Date.now();
  try {
    // No redirects: a receiver answers where it was registered (and a redirect cannot lead elsewhere).
    const res = await fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    const text = await res.text().catch(() => "");
    return {
      statusCode: res.status,
      latencyMs: Date.now() - started,
      excerpt: text.slice(0, EXCERPT_CHARS),
      error: null,
    };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return {
      statusCode: null,
      latencyMs: Date.now() - started,
      excerpt: "",
      error: timedOut
        ? `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`
        : `could not connect: ${String(error).slice(0, 200)}`,
    };
  }
}

type Next = { status: "succeeded" | "retrying" | "failed"; delaySeconds?: number; disable?: string };

/** What a try's outcome leads to, on try number `attempt` (1 is the first) of this run. */
export function nextStep(outcome: Pick<Outcome, "statusCode">, attempt: number): Next {
  const code = outcome.statusCode;
  if (code !== null && code >= 200 && code < 300) return { status: "succeeded" };
  if (code === 410) return { status: "failed", disable: "the endpoint answered 410 Gone" };
  const delaySeconds = WEBHOOK_RETRY_SECONDS[attempt - 1];
  if (delaySeconds !== undefined) return { status: "retrying", delaySeconds };
  return {
    status: "failed",
    disable: `every try of a delivery failed for about a day (last: ${code ?? "no answer"})`,
  };
}

async function settle(
  db: Database,
  job: WebhookJob,
  delivery: Delivery,
  request: { url: string; headers: Record<string, string>; body: string },
  outcome: Outcome,
  next: Next,
): Promise<void> {
  await withTenant(db, job.tenantId, async (tx) => {
    const attempt = delivery.attempts + 1;
    await tx.insert(webhookAttempts).values({
      tenantId: job.tenantId,
      deliveryId: delivery.id,
      attempt,
      request,
      statusCode: outcome.statusCode,
      latencyMs: outcome.latencyMs,
      responseExcerpt: outcome.excerpt,
      error: outcome.error,
    });
    await tx
      .update(webhookDeliveries)
      .set({
        status: next.status,
        attempts: attempt,
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error ?? (next.status === "succeeded" ? null : `answered ${outcome.statusCode}`),
        nextAttemptAt: next.delaySeconds ? new Date(Date.now() + next.delaySeconds * 1000) : null,
        updatedAt: new Date(),
      })
      .where(eq(webhookDeliveries.id, delivery.id));
  });
}

async function disable(
  env: Env,
  db: Database,
  endpoint: Endpoint,
  reason: string,
  log: Logger,
): Promise<void> {
  const [changed] = await withTenant(db, endpoint.tenantId, (tx) =>
    tx
      .update(webhookEndpoints)
      .set({ status: "disabled", disabledReason: reason, updatedAt: new Date() })
      .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.status, "active")))
      .returning({ id: webhookEndpoints.id }),
  );
  if (!changed) return;
  log.warn("webhook endpoint disabled", { tenant: endpoint.tenantId, endpoint: endpoint.id, reason });
  await notifyAdmins(db, mailerFor(env.MAILER), endpoint.tenantId, {
    kind: "webhook.disabled",
    title: `Webhook endpoint disabled: ${endpoint.url}`,
    body: `Events are no longer sent to ${endpoint.url}: ${reason}.`,
    nextStep: `Fix the receiver, then enable the endpoint again in Settings → Webhooks and redeliver what it missed: ${env.APP_URL}/settings/webhooks`,
    data: { endpointId: endpoint.id },
  });
}

/** One delivery, one try; what the queue should do with its message. */
export async function deliverWebhook(
  env: Env,
  db: Database,
  message: Pick<Message<unknown>, "body" | "attempts" | "ack" | "retry">,
  log: Logger,
): Promise<void> {
  const parsed = WebhookJob.safeParse(message.body);
  if (!parsed.success) return message.ack();
  const job = parsed.data;
  const claimed = await claim(db, job);
  if (claimed === "done") return message.ack();
  if (claimed === "busy") return message.retry({ delaySeconds: STALE_CLAIM_SECONDS });
  const { delivery, endpoint } = claimed;
  const unusable =
    endpoint.status === "disabled"
      ? `the endpoint is disabled (${endpoint.disabledReason ?? "by an admin"})`
      : outboundUrlProblem(endpoint.url, env.LOCAL_DEVELOPMENT === "1")
        ? "the endpoint's URL is not allowed"
        : null;
  if (unusable) {
    await withTenant(db, job.tenantId, (tx) =>
      tx
        .update(webhookDeliveries)
        .set({ status: "failed", lastError: unusable, nextAttemptAt: null, updatedAt: new Date() })
        .where(eq(webhookDeliveries.id, delivery.id)),
    );
    return message.ack();
  }
  const request = await signedRequest(delivery, endpoint, env.AI_MASTER_KEY);
  const outcome = await post(request);
  const next = nextStep(outcome, message.attempts);
  await settle(db, job, delivery, request, outcome, next);
  if (next.disable) await disable(env, db, endpoint, next.disable, log);
  if (next.status === "retrying") return message.retry({ delaySeconds: next.delaySeconds });
  message.ack();
}

export async function consumeWebhooks(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const log = createLogger({ queue: batch.queue });
  const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
  try {
    // Deliveries to different endpoints do not wait on one another's slow receivers.
    await Promise.all(
      batch.messages.map(async (message) => {
        try {
          await deliverWebhook(env, db, message, log);
        } catch (error) {
          // The database away: the queue tries again soon (the delivery's claim goes stale meanwhile).
          log.error("webhook delivery failed", { id: message.id, error: String(error) });
          message.retry({ delaySeconds: STALE_CLAIM_SECONDS });
        }
      }),
    );
  } finally {
    await db.end();
  }
}
