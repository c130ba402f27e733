import {
  assignmentDecisions,
  assignmentRules,
  type Database,
  leads,
  notifications,
  type Tx,
  teamMembers,
  withTenant,
} from "@autopilot/db";
import {
  type AssignableLead,
  pickAssignee,
  type RuleConditions,
  ruleMatches,
  type Skip,
} from "@autopilot/engine";
import { and, asc, eq, sql } from "drizzle-orm";
import { recordEvent } from "../../events/outbox.js";
import { AppError, notFound } from "../../http/errors.js";
import { eventActor, type SalesActor, systemActor } from "../crm/actor.js";
import { loadSalesSettings } from "../leads/settings.js";
import { type LeadView, leadView } from "../leads/view.js";
import { loadOwnerCandidate, loadTeamCandidates } from "./candidates.js";

export type AssignOptions = {
  now?: Date;
  /** For the weighted strategy; injected so tests and replays are deterministic. */
  random?: () => number;
  /** Members not to pick (the owner who missed the SLA). */
  exclude?: string[];
  actor?: SalesActor;
  /** Why this assignment runs, prefixed to the recorded reason ("SLA missed by …"). */
  cause?: string;
};

export type Decision = {
  ownerId: string | null;
  teamId: string | null;
  ruleId: string | null;
  strategy: "round_robin" | "weighted" | "least_loaded" | "specific" | "fallback_queue" | "manual";
  reason: string;
  skipped: Skip[];
};

/**
 * Runs the tenant's assignment rules for one lead inside the caller's transaction: the first
 * enabled rule (in order) whose conditions match and whose team has an eligible member decides;
 * a matching rule with nobody eligible passes to the next; when none can, the lead goes to the
 * fallback queue (no owner, the first matching rule's team). Records the decision with its reason,
 * updates the lead (owner, team, SLA due time) and writes lead.assigned.
 */
export async function assignLeadInTx(tx: Tx, tenantId: string, leadId: string, opts: AssignOptions = {}) {
  const now = opts.now ?? new Date();
  const actor = opts.actor ?? systemActor(tenantId);
  const [lead] = await tx.select().from(leads).where(eq(leads.id, leadId)).for("update");
  if (!lead) throw notFound("lead");
  if (lead.status === "converted" || lead.status === "disqualified") {
    throw new AppError(409, "lead_closed", `status: a ${lead.status} lead is not assigned`);
  }
  const facts: AssignableLead = {
    score: lead.score,
    territory: lead.territory,
    language: lead.language,
    product: lead.product,
    source: lead.source,
  };
  const exclude = new Set(opts.exclude ?? []);
  const rules = await tx
    .select()
    .from(assignmentRules)
    .where(eq(assignmentRules.enabled, true))
    .orderBy(asc(assignmentRules.position), asc(assignmentRules.createdAt));
  const skipped: Skip[] = [];
  const tried: string[] = [];
  let decision: Decision | null = null;
  let fallbackTeam: string | null = null;
  for (const rule of rules) {
    if (!ruleMatches(rule.conditions as RuleConditions, facts)) continue;
    fallbackTeam ??= rule.teamId;
    const candidates = (
      rule.strategy === "specific" && rule.ownerId
        ? [await loadOwnerCandidate(tx, rule.ownerId)]
        : rule.teamId
          ? await loadTeamCandidates(tx, rule.teamId)
          : []
    ).filter((c) => {
      if (!exclude.has(c.userId)) return true;
      skipped.push({ userId: c.userId, reason: "excluded (missed the SLA)" });
      return false;
    });
    const pick = pickAssignee(
      rule.strategy,
      candidates,
      facts,
      now,
      opts.random ?? Math.random,
      rule.ownerId,
    );
    skipped.push(...pick.skipped);
    if (pick.userId) {
      decision = {
        ownerId: pick.userId,
        teamId: rule.teamId,
        ruleId: rule.id,
        strategy: rule.strategy,
        reason: `rule "${rule.name}": ${pick.reason}`,
        skipped,
      };
      break;
    }
    tried.push(`rule "${rule.name}": ${pick.reason}`);
  }
  decision ??= {
    ownerId: null,
    teamId: fallbackTeam,
    ruleId: null,
    strategy: "fallback_queue",
    reason: tried.length ? `fallback queue: ${tried.join("; ")}` : "fallback queue: no rule matched",
    skipped,
  };
  if (opts.cause) decision.reason = `${opts.cause}; ${decision.reason}`;
  return applyDecision(tx, actor, lead, decision, now);
}

async function applyDecision(
  tx: Tx,
  actor: SalesActor,
  lead: typeof leads.$inferSelect,
  d: Decision,
  now: Date,
): Promise<{ lead: LeadView; decision: Decision }> {
  const settings = await loadSalesSettings(tx);
  const slaDueAt =
    d.ownerId && !lead.firstTouchedAt
      ? new Date(now.getTime() + settings.firstTouchSlaMinutes * 60_000)
      : null;
  const [updated] = await tx
    .update(leads)
    .set({ ownerId: d.ownerId, teamId: d.teamId, assignedAt: d.ownerId ? now : null, slaDueAt })
    .where(eq(leads.id, lead.id))
    .returning();
  if (!updated) throw notFound("lead");
  if (d.ownerId && d.teamId) {
    await tx
      .update(teamMembers)
      // The database's clock, read while the team row is locked: assignments to one team then get
      // increasing times in the order they commit (a `now` taken before the lock may not be).
      .set({ lastAssignedAt: sql`clock_timestamp()` })
      .where(and(eq(teamMembers.teamId, d.teamId), eq(teamMembers.userId, d.ownerId)));
  }
  await tx.insert(assignmentDecisions).values({
    tenantId: actor.tenantId,
    leadId: lead.id,
    ruleId: d.ruleId,
    teamId: d.teamId,
    ownerId: d.ownerId,
    strategy: d.strategy,
    reason: d.reason.slice(0, 2000),
    skipped: d.skipped,
  });
  await recordEvent(tx, {
    type: "lead.assigned",
    tenantId: actor.tenantId,
    actor: eventActor(actor),
    subjects: { lead: lead.id, contact: lead.contactId },
    properties: {
      ownerId: d.ownerId,
      teamId: d.teamId,
      ruleId: d.ruleId,
      strategy: d.strategy,
      reason: d.reason.slice(0, 500),
    },
  });
  if (d.ownerId) {
    await tx.insert(notifications).values({
      tenantId: actor.tenantId,
      userId: d.ownerId,
      kind: "lead.assigned",
      title: `New lead: ${lead.title || "untitled"}`,
      body: d.reason.slice(0, 500),
      data: { leadId: lead.id, slaDueAt: slaDueAt?.toISOString() ?? null },
    });
  }
  return { lead: leadView(updated), decision: d };
}

/** assignLeadInTx in its own tenant transaction. */
export async function assignLead(db: Database, tenantId: string, leadId: string, opts: AssignOptions = {}) {
  return withTenant(db, tenantId, (tx) => assignLeadInTx(tx, tenantId, leadId, opts));
}

/** Assigns a lead to a named member by hand (recorded as a "manual" decision). */
export async function assignLeadManually(
  db: Database,
  actor: SalesActor,
  leadId: string,
  ownerId: string | null,
) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const [lead] = await tx.select().from(leads).where(eq(leads.id, leadId)).for("update");
    if (!lead) throw notFound("lead");
    const d: Decision = {
      ownerId,
      teamId: lead.teamId,
      ruleId: null,
      strategy: "manual",
      reason: ownerId ? "assigned by hand" : "returned to the queue by hand",
      skipped: [],
    };
    return applyDecision(tx, actor, lead, d, new Date());
  });
}

/** The team a lead's assignment would start with (the first matching rule's), to pick its coordinator. */
export async function firstMatchingTeam(tx: Tx, leadId: string): Promise<string | null> {
  const [lead] = await tx.select().from(leads).where(eq(leads.id, leadId));
  if (!lead) throw notFound("lead");
  const rules = await tx
    .select()
    .from(assignmentRules)
    .where(eq(assignmentRules.enabled, true))
    .orderBy(asc(assignmentRules.position), asc(assignmentRules.createdAt));
  const facts: AssignableLead = {
    score: lead.score,
    territory: lead.territory,
    language: lead.language,
    product: lead.product,
    source: lead.source,
  };
  const rule = rules.find((r) => ruleMatches(r.conditions as RuleConditions, facts));
  return rule ? (rule.teamId ?? `owner:${rule.ownerId}`) : null;
}
