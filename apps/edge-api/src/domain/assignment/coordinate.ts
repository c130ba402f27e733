import { type Database, withTenant } from "@autopilot/db";
import type { CoordinatedResult } from "../../durable/assignment-coordinator.js";
import type { Env } from "../../env.js";
import { AppError } from "../errors.js";
import type { LeadView } from "../leads/view.js";
import { firstMatchingTeam } from "./assign-lead.js";

/**
 * Assigns a lead through the AssignmentCoordinator of the team its rules start with, so concurrent
 * assignments to one team are serialised. Used by the API; the Conversation DO may call it too.
 */
export async function assignThroughCoordinator(
  env: Pick<Env, "ASSIGNMENT_COORDINATOR">,
  db: Database,
  tenantId: string,
  leadId: string,
  opts: { exclude?: string[]; cause?: string } = {},
): Promise<{ lead: LeadView; reason: string }> {
  const team = await withTenant(db, tenantId, (tx) => firstMatchingTeam(tx, leadId));
  const ns = env.ASSIGNMENT_COORDINATOR;
  const stub = ns.get(ns.idFromName(`${tenantId}:${team ?? "none"}`));
  // The RPC stub's type loses the union's narrowing; the value is exactly what assign() returned.
  const result = (await stub.assign(tenantId, leadId, opts)) as CoordinatedResult;
  if (!result.ok) throw new AppError(result.code, result.message);
  return { lead: result.lead, reason: result.reason };
}
