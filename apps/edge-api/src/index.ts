import { openDatabase } from "@autopilot/db";
import { enforceRetention, pruneFailedEvents, rejectedRetentionDays } from "./analytics/retention.js";
import { createApp } from "./app.js";
import { runSalesJobs } from "./domain/sales-jobs.js";
import type { Env } from "./env.js";
import { consumeEvents } from "./events/consumer.js";
import { sendPendingEvents } from "./events/sender.js";
import { pruneIdempotencyKeys } from "./http/idempotency.js";
import { consumeCrawl, KNOWLEDGE_CRAWL_QUEUE } from "./knowledge/consumer.js";
import { refreshDueSources } from "./knowledge/refresh.js";
import { createLogger } from "./lib/log.js";

export { LiveStats } from "./analytics/live/live-stats.js";
export { ConversationDO } from "./conversations/conversation-do.js";
export { AiBudget } from "./durable/ai-budget.js";
export { ApiKeyGate } from "./durable/api-key-gate.js";
export { AssignmentCoordinator } from "./durable/assignment-coordinator.js";
export { RateLimiter } from "./durable/rate-limiter.js";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) =>
    batch.queue === KNOWLEDGE_CRAWL_QUEUE ? consumeCrawl(batch, env) : consumeEvents(batch, env),
  async scheduled(controller, env, ctx) {
    // Sweeps outboxes whose immediate flush failed (queue or database was down).
    const log = createLogger({ job: "outbox-sender" });
    const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
    ctx.waitUntil(
      sendPendingEvents(db, env.EVENTS, log)
        .then((sent) => log.info("outbox swept", { sent }))
        .then(async () => {
          // Retention sweeps once an hour are plenty (everything here ages by days).
          if (new Date(controller.scheduledTime).getUTCMinutes() !== 7) return;
          await enforceRetention(db, log);
          await pruneFailedEvents(db, log, rejectedRetentionDays(env));
          await pruneIdempotencyKeys(db, log);
        })
        // First-touch SLAs, stale deals and task reminders (bounded per run).
        .then(() => runSalesJobs(db, env, log))
        .then((done) => log.info("sales jobs", done))
        // Knowledge sources whose refresh interval is up: a new crawl run each (the crawl is queued).
        .then(() => refreshDueSources(db, (m) => env.KNOWLEDGE_CRAWL.send(m), log))
        .then((started) => log.info("knowledge refresh", { started }))
        .finally(() => db.end()),
    );
  },
} satisfies ExportedHandler<Env>;
