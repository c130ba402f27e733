import { openDatabase } from "@autopilot/db";
import { createApp } from "./app.js";
import type { Env } from "./env.js";
import { consumeEvents } from "./events/consumer.js";
import { sendPendingEvents } from "./events/sender.js";
import { createLogger } from "./lib/log.js";

export { RateLimiter } from "./durable/rate-limiter.js";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeEvents(batch, env),
  async scheduled(_controller, env, ctx) {
    // Sweeps outboxes whose immediate flush failed (queue or database was down).
    const log = createLogger({ job: "outbox-sender" });
    const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
    ctx.waitUntil(
      sendPendingEvents(db, env.EVENTS, log)
        .then((sent) => log.info("outbox swept", { sent }))
        .finally(() => db.end()),
    );
  },
} satisfies ExportedHandler<Env>;
