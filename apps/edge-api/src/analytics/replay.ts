import { type Database, lookups } from "@autopilot/db";
import type { EventProducer } from "../events/outbox.js";
import type { Logger } from "../lib/log.js";
import { replayDeadLetters } from "./dead-letters.js";

// Dead letters are events whose retries ran out while the database was down. Once it answers again
// (the cron runs at all), they are replayed on their own — no one has to press "replay". Ingest
// dedupes by event id, so a replay that overlaps a late retry counts each event once.

export async function replayPendingDeadLetters(
  db: Database,
  producer: EventProducer,
  log: Logger,
  maxTenants = 50,
  perTenant = 100,
): Promise<number> {
  const tenants = await lookups.deadLettersPending(db, maxTenants);
  let replayed = 0;
  for (const tenantId of tenants) {
    try {
      replayed += (await replayDeadLetters(db, tenantId, producer, perTenant)).replayed;
    } catch (error) {
      log.warn("dead letter replay failed", { tenantId, error: String(error) });
    }
  }
  return replayed;
}
