import { type Database, lookups, pluginSchedules, type Tx, withTenant } from "@autopilot/db";
import type { Manifest } from "@autopilot/sdk";
import { and, eq, notInArray, sql } from "drizzle-orm";
import type { Logger } from "../lib/log.js";

// A plugin's schedules ("every N minutes", at least 5): each has its next time, spread by a jitter
// so a thousand installs of one plugin do not all run in the same second. The minute cron queues
// the due ones on the plugin-deliveries queue, advancing each first, so a run is queued once.

/** Up to a tenth of the period, at most a minute: spread without drifting far. */
const jitterSeconds = (everyMinutes: number) => Math.floor(Math.random() * Math.min(60, everyMinutes * 6));

const nextAt = (everyMinutes: number) =>
  sql`now() + make_interval(mins => ${everyMinutes}, secs => ${jitterSeconds(everyMinutes)})`;

/** Keeps an install's schedule rows as its manifest says (new ones first run a period from now). */
export async function syncSchedules(
  tx: Tx,
  tenantId: string,
  installId: string,
  manifest: Manifest,
): Promise<void> {
  const names = manifest.schedules.map((s) => s.name);
  await tx
    .delete(pluginSchedules)
    .where(
      and(
        eq(pluginSchedules.installId, installId),
        names.length ? notInArray(pluginSchedules.name, names) : undefined,
      ),
    );
  for (const s of manifest.schedules)
    await tx
      .insert(pluginSchedules)
      .values({
        tenantId,
        installId,
        name: s.name,
        everyMinutes: s.everyMinutes,
        nextAt: nextAt(s.everyMinutes),
      })
      .onConflictDoUpdate({
        target: [pluginSchedules.tenantId, pluginSchedules.installId, pluginSchedules.name],
        set: { everyMinutes: s.everyMinutes },
      });
}

export type ScheduleMessage = { kind: "schedule"; tenantId: string; installId: string; name: string };

/** Queues every due schedule once (claimed by moving its next time on); how many it queued. */
export async function queueDueSchedules(
  db: Database,
  queue: Pick<Queue, "send">,
  log: Logger,
  limit = 500,
): Promise<number> {
  let queued = 0;
  for (const due of await lookups.pluginSchedulesDue(db, limit)) {
    const claimed = await withTenant(db, due.tenant_id, (tx) =>
      tx
        .update(pluginSchedules)
        .set({
          nextAt: sql`now() + make_interval(mins => ${pluginSchedules.everyMinutes}, secs => floor(random() * least(60, ${pluginSchedules.everyMinutes} * 6))::int)`,
        })
        .where(
          and(
            eq(pluginSchedules.installId, due.install_id),
            eq(pluginSchedules.name, due.name),
            sql`${pluginSchedules.nextAt} <= now()`,
          ),
        )
        .returning({ name: pluginSchedules.name }),
    );
    if (claimed.length === 0) continue;
    await queue.send({
      kind: "schedule",
      tenantId: due.tenant_id,
      installId: due.install_id,
      name: due.name,
    } satisfies ScheduleMessage);
    queued++;
  }
  if (queued) log.info("plugin schedules queued", { queued });
  return queued;
}
