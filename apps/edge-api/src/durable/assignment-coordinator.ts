import { DurableObject } from "cloudflare:workers";
import { openDatabase } from "@autopilot/db";
import { type AssignOptions, assignLeads } from "../domain/assignment/assign-lead.js";
import { Batcher } from "../domain/assignment/batcher.js";
import type { ErrorCode } from "../domain/errors.js";
import type { LeadView } from "../domain/leads/view.js";
import type { Env } from "../env.js";

export type CoordinatedResult =
  | { ok: true; lead: LeadView; reason: string }
  | { ok: false; code: ErrorCode; message: string };

type Request = { tenantId: string; leadId: string; opts: Pick<AssignOptions, "exclude" | "cause"> };

/**
 * One object per tenant and team (name `${tenantId}:${teamKey}`): assignments that start with the
 * same team run here one batch at a time, in arrival order, so round-robin stays fair however many
 * requests arrive at once; those that arrive while a batch runs go together in the next, in one
 * transaction (assignLeads). A Durable Object's input gate opens while it awaits the database, so the
 * order is kept by the Batcher's queue, not by the runtime. (The team row lock taken inside the
 * transaction keeps assignments correct even for callers that do not come through here.)
 */
export class AssignmentCoordinator extends DurableObject<Env> {
  private readonly batcher = new Batcher<Request, CoordinatedResult>((items) => this.assignBatch(items));

  assign(
    tenantId: string,
    leadId: string,
    opts: Pick<AssignOptions, "exclude" | "cause"> = {},
  ): Promise<CoordinatedResult> {
    return this.batcher.submit({ tenantId, leadId, opts });
  }

  /** One batch in one transaction per tenant (an object serves one tenant; the grouping is a guard). */
  private async assignBatch(items: Request[]): Promise<CoordinatedResult[]> {
    const db = openDatabase({ url: this.env.DATABASE_URL, bridge: this.env.DB_BRIDGE });
    try {
      const out = new Map<Request, CoordinatedResult>();
      for (const tenantId of new Set(items.map((i) => i.tenantId))) {
        const mine = items.filter((i) => i.tenantId === tenantId);
        const results = await assignLeads(db, tenantId, mine);
        for (const [n, r] of results.entries())
          out.set(
            mine[n] as Request,
            // Refusals cross the RPC boundary as plain data (code and message); faults are thrown.
            r.ok
              ? { ok: true, lead: r.lead, reason: r.decision.reason }
              : { ok: false, code: r.error.code, message: r.error.message },
          );
      }
      return items.map((i) => out.get(i) as CoordinatedResult);
    } finally {
      await db.end().catch(() => undefined);
    }
  }
}
