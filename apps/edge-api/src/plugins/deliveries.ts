import { type Database, openDatabase, pluginDeliveries, pluginSchedules, withTenant } from "@autopilot/db";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { AppError } from "../domain/errors.js";
import type { Env } from "../env.js";
import { createLogger, type Logger } from "../lib/log.js";
import { mailerFor } from "../mail/mailer.js";
import { DeliveryMessage } from "./fan-out.js";
import { EmailDelivery } from "./inbound-email.js";
import { getInstall } from "./installs.js";
import { invokePlugin } from "./invoke.js";

// Consumer of the plugin-deliveries queue: one event for one install per message. Each (install,
// event) is claimed in plugin_deliveries first, so a redelivered message whose event already ran is
// only acknowledged: exactly once in effect. A failure is retried with backoff; after the queue's
// last try the delivery is dead, kept with its error for the admins to list and replay.

export const PLUGIN_DELIVERIES_QUEUE = "plugin-deliveries";
/** The queue's max_retries (wrangler.toml): the attempt after this many retries is the last. */
export const MAX_DELIVERY_RETRIES = 8;

/** Seconds before the next try: 10 s, 30 s, 1.5 min … capped at an hour. */
export const retryDelaySeconds = (attempts: number) => Math.min(3600, 10 * 3 ** Math.max(0, attempts - 1));

type Claim = "run" | "done";

/** The install with its secrets, or null when it was uninstalled since the message was queued. */
function installToRun(env: Env, db: Database, tenantId: string, installId: string) {
  return getInstall(db, tenantId, installId, env.AI_MASTER_KEY).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") return null;
    throw error;
  });
}

async function claim(db: Database, m: DeliveryMessage): Promise<Claim> {
  return withTenant(db, m.tenantId, async (tx) => {
    const [row] = await tx
      .insert(pluginDeliveries)
      .values({
        tenantId: m.tenantId,
        installId: m.installId,
        eventId: m.event.id,
        eventType: m.event.type,
        event: m.event,
        status: "running",
        attempts: 1,
      })
      .onConflictDoUpdate({
        target: [pluginDeliveries.tenantId, pluginDeliveries.installId, pluginDeliveries.eventId],
        set: { status: "running", attempts: sql`${pluginDeliveries.attempts} + 1`, updatedAt: sql`now()` },
        // A delivery that ran is never run again; a dead one only through replay (which resets it).
        // A "running" claim is taken over only when stale (its consumer died): two copies of one
        // message in flight never both run.
        setWhere: sql`${pluginDeliveries.status} = 'retrying' or (${pluginDeliveries.status} = 'running' and ${pluginDeliveries.updatedAt} < now() - interval '2 minutes')`,
      })
      .returning({ status: pluginDeliveries.status });
    return row ? "run" : "done";
  });
}

async function settle(
  db: Database,
  m: DeliveryMessage,
  status: "done" | "retrying" | "dead",
  error: string | null,
) {
  await withTenant(db, m.tenantId, (tx) =>
    tx
      .update(pluginDeliveries)
      .set({ status, lastError: error, updatedAt: sql`now()` })
      .where(
        and(
          eq(pluginDeliveries.tenantId, m.tenantId),
          eq(pluginDeliveries.installId, m.installId),
          eq(pluginDeliveries.eventId, m.event.id),
        ),
      ),
  );
}

export async function deliver(
  env: Env,
  db: Database,
  message: Pick<Message<unknown>, "body" | "attempts" | "ack" | "retry" | "id">,
  log: Logger,
): Promise<void> {
  const schedule = ScheduleRun.safeParse(message.body);
  if (schedule.success) return runSchedule(env, db, message, schedule.data);
  const email = EmailDelivery.safeParse(message.body);
  if (email.success) return deliverEmail(env, db, message, email.data, log);
  const parsed = DeliveryMessage.safeParse(message.body);
  if (!parsed.success) {
    log.warn("invalid plugin delivery dropped", { id: message.id });
    return message.ack();
  }
  const m = parsed.data;
  const install = await installToRun(env, db, m.tenantId, m.installId);
  // Uninstalled since: nothing to deliver to (its deliveries went with it).
  if (!install) return message.ack();
  if ((await claim(db, m)) === "done") return message.ack();
  const out = await invokePlugin({ env, db, mailer: mailerFor(env.MAILER) }, install, {
    kind: "event",
    event: m.event,
  });
  if (out.ok) {
    await settle(db, m, "done", null);
    return message.ack();
  }
  const error = `${out.code}: ${out.message}`.slice(0, 1000);
  if (out.code !== "paused" && message.attempts <= MAX_DELIVERY_RETRIES) {
    await settle(db, m, "retrying", error);
    return message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  }
  log.warn("plugin delivery dead", { install: m.installId, event: m.event.id, error });
  await settle(db, m, "dead", error);
  message.ack();
}

/**
 * An inbound email to the workspace's email channel. A failure (the plugin down, paused or failing)
 * is retried like an event's; the plugin drops a repeat of a message it took (its Message-ID).
 */
async function deliverEmail(
  env: Env,
  db: Database,
  message: Pick<Message<unknown>, "attempts" | "ack" | "retry">,
  delivery: EmailDelivery,
  log: Logger,
): Promise<void> {
  const install = await installToRun(env, db, delivery.tenantId, delivery.installId);
  if (!install) {
    log.warn("inbound email dropped: its channel was uninstalled", { tenant: delivery.tenantId });
    return message.ack();
  }
  const out = await invokePlugin({ env, db, mailer: mailerFor(env.MAILER) }, install, {
    kind: "email",
    email: delivery.email,
  });
  if (out.ok) return message.ack();
  if (message.attempts <= MAX_DELIVERY_RETRIES)
    return message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  log.error("inbound email lost after the last try", {
    tenant: delivery.tenantId,
    install: delivery.installId,
    messageId: delivery.email.messageId,
    error: `${out.code}: ${out.message}`.slice(0, 500),
  });
  message.ack();
}

const ScheduleRun = z.object({
  kind: z.literal("schedule"),
  tenantId: z.uuid(),
  installId: z.uuid(),
  name: z.string().max(64),
  /** How many runs in a row asked to go again before this one (absent: the schedule's own). */
  chain: z.number().int().min(0).optional(),
});
type ScheduleRun = z.infer<typeof ScheduleRun>;

/** At most this many runs in a row on a plugin's "again" (a backfill); then the schedule's period again. */
export const MAX_SCHEDULE_CHAIN = 1000;
const Again = z.object({ again: z.literal(true), afterSeconds: z.number().optional() });

/**
 * A schedule's run: once, no retries (the next run comes); what happened is in the install's calls.
 * A run that answers `{ again: true }` (work is left, as in a sync's backfill) is queued again after
 * `afterSeconds` (1 s to 15 min), up to MAX_SCHEDULE_CHAIN in a row; meanwhile the schedule's own
 * next time is kept a period away, so the two never run side by side.
 */
async function runSchedule(
  env: Env,
  db: Database,
  message: Pick<Message<unknown>, "ack">,
  run: ScheduleRun,
): Promise<void> {
  const install = await installToRun(env, db, run.tenantId, run.installId);
  if (install?.status === "active" && install.manifest.schedules.some((s) => s.name === run.name)) {
    const out = await invokePlugin({ env, db, mailer: mailerFor(env.MAILER) }, install, {
      kind: "schedule",
      name: run.name,
    });
    const again = out.ok ? Again.safeParse(out.value) : null;
    const chain = run.chain ?? 0;
    if (again?.success && chain < MAX_SCHEDULE_CHAIN) {
      const delaySeconds = Math.min(900, Math.max(1, Math.ceil(again.data.afterSeconds ?? 1)));
      await withTenant(db, run.tenantId, (tx) =>
        tx
          .update(pluginSchedules)
          .set({
            nextAt: sql`greatest(${pluginSchedules.nextAt}, now() + make_interval(mins => ${pluginSchedules.everyMinutes}))`,
          })
          .where(and(eq(pluginSchedules.installId, run.installId), eq(pluginSchedules.name, run.name))),
      );
      await env.PLUGIN_DELIVERIES.send({ ...run, chain: chain + 1 } satisfies ScheduleRun, { delaySeconds });
    }
  }
  message.ack();
}

export async function consumeDeliveries(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const log = createLogger({ queue: batch.queue });
  const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
  try {
    // One at a time: a batch never has more than a few Dynamic Workers in flight.
    for (const message of batch.messages) {
      try {
        await deliver(env, db, message, log);
      } catch (error) {
        // The database away: the queue tries again later.
        log.error("plugin delivery failed", { id: message.id, error: String(error) });
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      }
    }
  } finally {
    await db.end();
  }
}
