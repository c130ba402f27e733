import { openDatabase } from "@autopilot/db";
import { ingestMessages } from "../analytics/consume.js";
import { storeDeadLetters } from "../analytics/dead-letters.js";
import type { Env } from "../env.js";
import { createLogger } from "../lib/log.js";
import { fanOutToPlugins } from "../plugins/fan-out.js";
import { fanOutToWebhooks } from "../webhooks/fan-out.js";

export const DEAD_LETTER_QUEUE = "events-dlq";

/**
 * Consumer of the `events` Queue (analytics ingest, see analytics/consume.ts) and of its dead-letter
 * queue. After a tenant's events commit, its LiveStats object gets the inserted rows.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const log = createLogger({ queue: batch.queue });
  const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
  try {
    if (batch.queue === DEAD_LETTER_QUEUE) {
      await storeDeadLetters(db, batch.queue, batch.messages, log);
      return;
    }
    // Plugins and webhook endpoints first: a batch taken in but not handed on would never reach them.
    // A delivery queued twice (this batch retried) runs once (plugins/deliveries.ts, webhooks/fan-out.ts).
    try {
      const events = batch.messages.map((m) => m.body).filter(isEventRef);
      await fanOutToPlugins(db, env.PLUGIN_DELIVERIES, events);
      await fanOutToWebhooks(db, env.WEBHOOK_DELIVERIES, events);
    } catch (error) {
      log.warn("plugin or webhook fan-out failed; retrying the batch", { error: String(error) });
      for (const m of batch.messages) m.retry({ delaySeconds: 5 });
      return;
    }
    await ingestMessages(db, batch.queue, batch.messages, log, async (tenantId, result) => {
      const stub = env.LIVE_STATS.get(env.LIVE_STATS.idFromName(tenantId));
      await stub.apply(result.inserted, result.timeZone ?? "UTC");
    });
  } finally {
    await db.end();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The fields fan-out needs; anything else is left to the ingest's own validation. */
function isEventRef(body: unknown): body is { id: string; type: string; tenantId: string } {
  const e = body as { id?: unknown; type?: unknown; tenantId?: unknown } | null;
  return (
    typeof e?.type === "string" &&
    typeof e.id === "string" &&
    UUID.test(e.id) &&
    typeof e.tenantId === "string" &&
    UUID.test(e.tenantId)
  );
}
