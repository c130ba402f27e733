import { type Database, openDatabase } from "@autopilot/db";
import type { Env } from "../env.js";
import type { EventProducer } from "../events/outbox.js";
import { type Mailer, mailerFor } from "../mail/mailer.js";
import { type ActionExecutor, actionExecutor } from "./actions.js";

/**
 * Where a Conversation DO sends what leaves it. One seam, so tests can make the queue or the database
 * fail (runInDurableObject swaps these) and the sales issue can plug its executor in.
 */
export type Sinks = {
  database(): Database;
  events: EventProducer;
  mailer: Mailer;
  actions: ActionExecutor;
};

export function defaultSinks(env: Env): Sinks {
  return {
    database: () => openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE }),
    events: env.EVENTS,
    mailer: mailerFor(env.MAILER),
    actions: actionExecutor(),
  };
}
