import { DurableObject } from "cloudflare:workers";
import { openDatabase } from "@autopilot/db";
import { type AssignOptions, assignLead } from "../domain/assignment/assign-lead.js";
import { AppError, type ErrorCode } from "../domain/errors.js";
import type { LeadView } from "../domain/leads/view.js";
import type { Env } from "../env.js";

export type CoordinatedResult =
  | { ok: true; lead: LeadView; reason: string }
  | { ok: false; code: ErrorCode; message: string };

/**
 * One object per tenant and team (name `${tenantId}:${teamKey}`): assignments that start with the
 * same team run here one at a time, in arrival order, so round-robin stays fair however many
 * requests arrive at once. A Durable Object's input gate opens while it awaits the database, so the
 * order is kept by an explicit promise chain, not by the runtime. (The team row lock taken inside
 * the transaction keeps assignments correct even for callers that do not come through here.)
 */
export class AssignmentCoordinator extends DurableObject<Env> {
  private tail: Promise<unknown> = Promise.resolve();

  assign(
    tenantId: string,
    leadId: string,
    opts: Pick<AssignOptions, "exclude" | "cause"> = {},
  ): Promise<CoordinatedResult> {
    const run = async (): Promise<CoordinatedResult> => {
      const db = openDatabase({ url: this.env.DATABASE_URL, bridge: this.env.DB_BRIDGE });
      try {
        const { lead, decision } = await assignLead(db, tenantId, leadId, opts);
        return { ok: true, lead, reason: decision.reason };
      } catch (error) {
        // Refusals cross the RPC boundary as plain data (code and message); faults are thrown.
        if (error instanceof AppError) return { ok: false, code: error.code, message: error.message };
        throw error;
      } finally {
        await db.end().catch(() => undefined);
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
