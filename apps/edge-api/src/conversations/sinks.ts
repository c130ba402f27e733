import { type Database, openDatabase } from "@autopilot/db";
import type { Env } from "../env.js";
import type { EventProducer } from "../events/outbox.js";
import { type Mailer, mailerFor } from "../mail/mailer.js";
import { sendThroughChannel } from "../plugins/channel-send.js";
import { type ActionExecutor, actionExecutor } from "./actions.js";
import type { ChannelSender } from "./channel-send.js";

/**
 * Where a Conversation DO sends what leaves it. One seam, so tests can make the queue or the database
 * fail (runInDurableObject swaps these) and the sales issue can plug its executor in.
 */
export type Sinks = {
  database(): Database;
  events: EventProducer;
  mailer: Mailer;
  actions: ActionExecutor;
  channels: ChannelSender;
};

export function defaultSinks(env: Env): Sinks {
  return {
    database: () => openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE }),
    events: env.EVENTS,
    mailer: mailerFor(env.MAILER),
    actions: actionExecutor(),
    channels: async (tenantId, send) => {
      const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
      try {
        return await sendThroughChannel({ env, db, mailer: mailerFor(env.MAILER) }, tenantId, send);
      } finally {
        await db.end().catch(() => undefined);
      }
    },
  };
}
