import { openDatabase } from "@autopilot/db";
import { ingestMessages } from "../analytics/consume.js";
import { storeDeadLetters } from "../analytics/dead-letters.js";
import type { Env } from "../env.js";
import { createLogger } from "../lib/log.js";

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
    await ingestMessages(db, batch.queue, batch.messages, log, async (tenantId, result) => {
      const stub = env.LIVE_STATS.get(env.LIVE_STATS.idFromName(tenantId));
      await stub.apply(result.inserted, result.timeZone ?? "UTC");
    });
  } finally {
    await db.end();
  }
}
