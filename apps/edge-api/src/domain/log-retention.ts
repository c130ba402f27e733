import {
  channelMessages,
  type Database,
  lookups,
  recordTombstones,
  webhookDeliveries,
  withTenant,
} from "@autopilot/db";
import { lt, sql } from "drizzle-orm";
import type { Logger } from "../lib/log.js";

// Logs that would otherwise grow for ever: webhook deliveries (with their tries) after 30 days, the
// provider ids of channel replies (which only receipts need) after 90, and deletion tombstones (which
// sync plugins read within minutes) after 90.

export const WEBHOOK_LOG_DAYS = 30;
export const CHANNEL_MESSAGE_DAYS = 90;
export const TOMBSTONE_DAYS = 90;

export async function pruneLogs(
  db: Database,
  log: Logger,
): Promise<{ deliveries: number; channelMessages: number; tombstones: number }> {
  let deliveries = 0;
  for (const tenantId of await lookups.webhookDeliveriesDue(db, WEBHOOK_LOG_DAYS, 500)) {
    const gone = await withTenant(db, tenantId, (tx) =>
      tx
        .delete(webhookDeliveries)
        .where(lt(webhookDeliveries.createdAt, sql`now() - make_interval(days => ${WEBHOOK_LOG_DAYS})`))
        .returning({ id: webhookDeliveries.id }),
    );
    deliveries += gone.length;
  }
  let messages = 0;
  for (const tenantId of await lookups.channelMessagesDue(db, CHANNEL_MESSAGE_DAYS, 500)) {
    const gone = await withTenant(db, tenantId, (tx) =>
      tx
        .delete(channelMessages)
        .where(lt(channelMessages.createdAt, sql`now() - make_interval(days => ${CHANNEL_MESSAGE_DAYS})`))
        .returning({ id: channelMessages.externalId }),
    );
    messages += gone.length;
  }
  let tombstones = 0;
  for (const tenantId of await lookups.recordTombstonesDue(db, TOMBSTONE_DAYS, 500)) {
    const gone = await withTenant(db, tenantId, (tx) =>
      tx
        .delete(recordTombstones)
        .where(lt(recordTombstones.deletedAt, sql`now() - make_interval(days => ${TOMBSTONE_DAYS})`))
        .returning({ id: recordTombstones.localId }),
    );
    tombstones += gone.length;
  }
  if (deliveries || messages || tombstones)
    log.info("logs pruned", { deliveries, channelMessages: messages, tombstones });
  return { deliveries, channelMessages: messages, tombstones };
}
