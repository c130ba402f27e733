import { type Database, pluginDeliveries, withTenant } from "@autopilot/db";
import { and, desc, eq, sql } from "drizzle-orm";
import { AppError } from "../domain/errors.js";
import { getInstall } from "./installs.js";

// An install's deliveries as its admins see them: the events it took, is retrying, or gave up on
// (dead letters), and a dead one made due again.

export type DeliveryView = {
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
};

export async function listDeliveries(
  db: Database,
  tenantId: string,
  installId: string,
  status: "dead" | "retrying" | "done" | undefined,
  limit: number,
): Promise<DeliveryView[]> {
  await getInstall(db, tenantId, installId);
  return withTenant(db, tenantId, async (tx) =>
    (
      await tx
        .select()
        .from(pluginDeliveries)
        .where(
          and(
            eq(pluginDeliveries.installId, installId),
            status ? eq(pluginDeliveries.status, status) : undefined,
          ),
        )
        .orderBy(desc(pluginDeliveries.updatedAt))
        .limit(limit)
    ).map((d) => ({
      eventId: d.eventId,
      eventType: d.eventType,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      updatedAt: d.updatedAt.toISOString(),
    })),
  );
}

/** A dead delivery, made due again: its event is returned for the caller to queue. */
export async function reviveDelivery(
  db: Database,
  tenantId: string,
  installId: string,
  eventId: string,
): Promise<{ id: string; type: string; tenantId: string }> {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx
      .update(pluginDeliveries)
      .set({ status: "retrying", attempts: 0, updatedAt: sql`now()` })
      .where(
        and(
          eq(pluginDeliveries.installId, installId),
          eq(pluginDeliveries.eventId, eventId),
          eq(pluginDeliveries.status, "dead"),
        ),
      )
      .returning({ event: pluginDeliveries.event });
    if (!row) throw new AppError("not_found", "no dead delivery of this event");
    return row.event as { id: string; type: string; tenantId: string };
  });
}
