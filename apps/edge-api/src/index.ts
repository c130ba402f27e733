import { openDatabase } from "@autopilot/db";
import { createApp } from "./app.js";
import { cronJobs, runJobs } from "./cron.js";
import { consumeImports, LEAD_IMPORTS_QUEUE } from "./domain/leads/import-consumer.js";
import type { Env } from "./env.js";
import { consumeEvents } from "./events/consumer.js";
import { consumeCrawl, KNOWLEDGE_CRAWL_QUEUE } from "./knowledge/consumer.js";
import { createLogger } from "./lib/log.js";
import { consumeDeliveries, PLUGIN_DELIVERIES_QUEUE } from "./plugins/deliveries.js";
import { receiveEmail } from "./plugins/inbound-email.js";
import { consumeWebhooks, WEBHOOK_DELIVERIES_QUEUE } from "./webhooks/deliveries.js";

export { LiveStats } from "./analytics/live/live-stats.js";
export { ConversationDO } from "./conversations/conversation-do.js";
export { AiBudget } from "./durable/ai-budget.js";
export { ApiKeyGate } from "./durable/api-key-gate.js";
export { AssignmentCoordinator } from "./durable/assignment-coordinator.js";
export { RateLimiter } from "./durable/rate-limiter.js";
export { PluginReviewApi, PluginReviewGateway } from "./marketplace/sandbox.js";
export { PluginApi } from "./plugins/api.js";
export { PluginGateway } from "./plugins/gateway.js";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => {
    if (batch.queue === KNOWLEDGE_CRAWL_QUEUE) return consumeCrawl(batch, env);
    if (batch.queue === LEAD_IMPORTS_QUEUE) return consumeImports(batch, env);
    if (batch.queue === PLUGIN_DELIVERIES_QUEUE) return consumeDeliveries(batch, env);
    if (batch.queue === WEBHOOK_DELIVERIES_QUEUE) return consumeWebhooks(batch, env);
    return consumeEvents(batch, env);
  },
  // Email Routing: mail to a workspace's inbound address (plugins/inbound-email.ts).
  email: (message, env) => receiveEmail(message, env, createLogger({ handler: "email", to: message.to })),
  async scheduled(controller, env, ctx) {
    const log = createLogger({ job: "cron" });
    const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
    ctx.waitUntil(
      runJobs(cronJobs(db, env, log), new Date(controller.scheduledTime), log).finally(() => db.end()),
    );
  },
} satisfies ExportedHandler<Env>;
