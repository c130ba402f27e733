import { type Database, lookups } from "@autopilot/db";
import type { Logger } from "../lib/log.js";
import { type EventProducer, flushOutbox } from "./outbox.js";

/** The cron's sweep: every tenant with pending events, a bounded number of batches each. */
export async function sendPendingEvents(db: Database, producer: EventProducer, log: Logger): Promise<number> {
  let sent = 0;
  const tenants = await lookups.pendingOutboxTenants(db, 500);
  for (const tenantId of tenants) {
    for (let batch = 0; batch < 20; batch++) {
      const result = await flushOutbox(db, tenantId, producer);
      sent += result.sent;
      if (result.failed > 0) {
        log.warn("outbox send failed", { tenantId, failed: result.failed });
        break;
      }
      if (result.sent === 0) break;
    }
  }
  return sent;
}
