import { eventSchema } from "@autopilot/sdk";
import type { Env } from "../env.js";
import { createLogger } from "../lib/log.js";

/**
 * Consumer of the `events` Queue. For now it validates and acknowledges; analytics ingest (issue 7)
 * stores them. An invalid message is acknowledged and logged rather than retried for ever.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, _env: Env): Promise<void> {
  const log = createLogger({ queue: batch.queue });
  for (const message of batch.messages) {
    const parsed = eventSchema.safeParse(message.body);
    if (!parsed.success)
      log.warn("invalid event set aside", { messageId: message.id, issues: parsed.error.issues });
    message.ack();
  }
}
