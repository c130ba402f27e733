import type { Command } from "@autopilot/engine";

// Business actions a route step asks for. They belong to the sales issue (createLeadFromForm,
// assignLead, createDeal); until it wires an executor here, they wait in the DO's outbox and run
// when one exists. Wiring later is one line in `actionExecutor` below.

export type ActionCommand = Extract<
  Command,
  { type: "create_lead" | "assign" | "create_deal" | "tag" | "notify" }
>;

export type ActionContext = { tenantId: string; conversationId: string; visitorId: string };

export type ActionOutcome =
  | { status: "done" /** e.g. the owner's name, for the reply */; summary?: string }
  | { status: "unavailable" }
  | { status: "failed"; error: string };

export interface ActionExecutor {
  run(command: ActionCommand, context: ActionContext): Promise<ActionOutcome>;
}

export const isActionCommand = (c: Command): c is ActionCommand =>
  c.type === "create_lead" ||
  c.type === "assign" ||
  c.type === "create_deal" ||
  c.type === "tag" ||
  c.type === "notify";

/** Until the sales domain functions exist: nothing runs, everything waits in the outbox. */
export const pendingExecutor: ActionExecutor = {
  run: async () => ({ status: "unavailable" }),
};

export const actionExecutor = (): ActionExecutor => pendingExecutor;
