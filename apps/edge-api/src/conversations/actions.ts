import type { Database } from "@autopilot/db";
import type { Command, FieldType } from "@autopilot/engine";
import type { Mailer } from "../mail/mailer.js";
import { runPluginAction } from "../plugins/actions.js";
import type { PluginEnv } from "../plugins/invoke.js";
import { salesExecutor } from "./sales-actions.js";

// Business actions a route step asks for. create_lead / assign / create_deal run through the sales
// domain's conversation hooks, tag and notify through the CRM and the Mailer (sales-actions.ts),
// call_plugin through an installed plugin's action (plugins/actions.ts).
// The DO runs them inside the turn (so the reply can name the owner); when the database is down they
// wait in its outbox and the alarm retries them, exactly once per conversation step (the key).

/** The actions the sales domain runs, in a tenant transaction. */
export type SalesCommand = Extract<
  Command,
  { type: "create_lead" | "assign" | "create_deal" | "tag" | "notify" }
>;
/** An installed plugin's action (plugins/actions.ts), outside any transaction: it may take seconds. */
export type PluginCommand = Extract<Command, { type: "call_plugin" }>;
export type ActionCommand = SalesCommand | PluginCommand;

export type ActionContext = {
  tenantId: string;
  conversationId: string;
  visitorId: string;
  /** Idempotency key: conversation + route step + the turn it ran in. A retry with it runs nothing twice. */
  key: string;
  /** What earlier actions of this conversation produced (create_lead sets both). */
  leadId: string | null;
  contactId: string | null;
  /** Types of the route's form fields, so the email, phone and name fields land on the contact. */
  fieldTypes: Record<string, FieldType>;
};

/** What an action needs from outside; the DO passes its current sinks (tests swap them). */
export type ActionIo = { db: Database; mailer: Mailer; appUrl: string; plugins?: PluginEnv };

export type ActionOutcome =
  | {
      status: "done";
      /** A line for the visitor, e.g. "Anna from Sales will contact you shortly." */
      summary?: string;
      leadId?: string;
      contactId?: string;
    }
  | { status: "unavailable" }
  /** permanent: bad input or a missing record (retrying cannot help); otherwise the database is down. */
  | { status: "failed"; error: string; permanent: boolean };

export interface ActionExecutor<C extends ActionCommand = ActionCommand> {
  run(command: C, context: ActionContext, io: ActionIo): Promise<ActionOutcome>;
}

export const isActionCommand = (c: Command): c is ActionCommand =>
  c.type === "create_lead" ||
  c.type === "assign" ||
  c.type === "create_deal" ||
  c.type === "tag" ||
  c.type === "notify" ||
  c.type === "call_plugin";

/** An action waiting in the DO's outbox: everything but the lead and contact, read when it runs. */
export type QueuedAction = {
  command: ActionCommand;
  key: string;
  fieldTypes: Record<string, FieldType>;
};

export const actionExecutor = (): ActionExecutor => ({
  run: (command, context, io) =>
    command.type === "call_plugin"
      ? runPluginAction(command, context, io)
      : salesExecutor.run(command, context, io),
});
