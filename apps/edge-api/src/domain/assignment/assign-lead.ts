import {
  type AssignmentStrategy,
  assignmentDecisions,
  type Database,
  leads,
  notifications,
  outbox,
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
import { and, eq, type SQL, sql } from "drizzle-orm";
import { outboxRow } from "../../events/outbox.js";
import { eventActor, type SalesActor, systemActor } from "../crm/actor.js";
import { AppError, notFound } from "../errors.js";
import { DEFAULT_SALES_SETTINGS } from "../leads/settings.js";
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

type RuleRow = {
  id: string;
  name: string;
  strategy: AssignmentStrategy;
  teamId: string | null;
  ownerId: string | null;
  conditions: RuleConditions;
};

/**
 * The lead (locked FOR UPDATE when assigning), the tenant's enabled rules in order and its first-touch
 * SLA, in one statement: assignment is a hot path and each round trip to the database counts.
 */
async function loadLeadAndRules(tx: Tx, leadId: string, lock: boolean) {
  const query = tx
    .select({
      lead: leads,
      rules: sql<RuleRow[]>`(select coalesce(json_agg(json_build_object('id', r.id, 'name', r.name,
        'strategy', r.strategy, 'teamId', r.team_id, 'ownerId', r.owner_id, 'conditions', r.conditions)
        order by r.position, r.created_at), '[]'::json) from assignment_rules r where r.enabled)`,
      slaMinutes: sql<number | null>`(select s.first_touch_sla_minutes from sales_settings s limit 1)`,
    })
    .from(leads)
    .where(eq(leads.id, leadId));
  const [row] = lock ? await query.for("update", { of: leads }) : await query;
  if (!row) throw notFound("lead");
  return {
    lead: row.lead,
    rules: row.rules,
    slaMinutes: row.slaMinutes ?? DEFAULT_SALES_SETTINGS.firstTouchSlaMinutes,
  };
}

const factsOf = (lead: typeof leads.$inferSelect): AssignableLead => ({
  score: lead.score,
  territory: lead.territory,
  language: lead.language,
  product: lead.product,
  source: lead.source,
});

/**
 * Runs the tenant's assignment rules for one lead inside the caller's transaction: the first
 * enabled rule (in order) whose conditions match and whose team has an eligible member decides;
 * a matching rule with nobody eligible passes to the next; when none can, the lead goes to the
 * fallback queue (no owner, the first matching rule's team). Records the decision with its reason,
 * updates the lead (owner, team, SLA due time) and writes lead.assigned. Round trips: the lead with
 * the rules, the candidates of each rule tried (candidates.ts), and one statement for every write.
 */
export async function assignLeadInTx(tx: Tx, tenantId: string, leadId: string, opts: AssignOptions = {}) {
  const now = opts.now ?? new Date();
  const actor = opts.actor ?? systemActor(tenantId);
  const { lead, rules, slaMinutes } = await loadLeadAndRules(tx, leadId, true);
  if (lead.status === "converted" || lead.status === "disqualified") {
    throw new AppError("lead_closed", `status: a ${lead.status} lead is not assigned`);
  }
  const facts = factsOf(lead);
  const exclude = new Set(opts.exclude ?? []);
  const skipped: Skip[] = [];
  const tried: string[] = [];
  let decision: Decision | null = null;
  let fallbackTeam: string | null = null;
  for (const rule of rules) {
    if (!ruleMatches(rule.conditions, facts)) continue;
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
  return applyDecision(tx, actor, lead, decision, now, slaMinutes);
}

/**
 * Writes a decision in ONE statement: the lead's new owner, team and SLA due time; the member's
 * round-robin time; the decision with its reason; lead.assigned in the outbox; the owner's
 * notification. Data-modifying CTEs all run, in one snapshot, whether or not the result reads them.
 */
async function applyDecision(
  tx: Tx,
  actor: SalesActor,
  lead: typeof leads.$inferSelect,
  d: Decision,
  now: Date,
  slaMinutes: number,
): Promise<{ lead: LeadView; decision: Decision }> {
  const slaDueAt = d.ownerId && !lead.firstTouchedAt ? new Date(now.getTime() + slaMinutes * 60_000) : null;
  const writes: SQL[] = [
    tx
      .insert(assignmentDecisions)
      .values({
        tenantId: actor.tenantId,
        leadId: lead.id,
        ruleId: d.ruleId,
        teamId: d.teamId,
        ownerId: d.ownerId,
        strategy: d.strategy,
        reason: d.reason.slice(0, 2000),
        skipped: d.skipped,
      })
      .getSQL(),
    tx
      .insert(outbox)
      .values(
        outboxRow({
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
        }),
      )
      .getSQL(),
  ];
  if (d.ownerId && d.teamId) {
    writes.push(
      tx
        .update(teamMembers)
        // The database's clock, read while the team row is locked: assignments to one team then get
        // increasing times in the order they commit (a `now` taken before the lock may not be).
        .set({ lastAssignedAt: sql`clock_timestamp()` })
        .where(and(eq(teamMembers.teamId, d.teamId), eq(teamMembers.userId, d.ownerId)))
        .getSQL(),
    );
  }
  if (d.ownerId) {
    writes.push(
      tx
        .insert(notifications)
        .values({
          tenantId: actor.tenantId,
          userId: d.ownerId,
          kind: "lead.assigned",
          title: `New lead: ${lead.title || "untitled"}`,
          body: d.reason.slice(0, 500),
          data: { leadId: lead.id, slaDueAt: slaDueAt?.toISOString() ?? null },
        })
        .getSQL(),
    );
  }
  const [updated] = await tx
    .with(...writes.map((w, i) => tx.$with(`w${i}`, {}).as(w)))
    .update(leads)
    .set({ ownerId: d.ownerId, teamId: d.teamId, assignedAt: d.ownerId ? now : null, slaDueAt })
    .where(eq(leads.id, lead.id))
    .returning();
  if (!updated) throw notFound("lead");
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
    const { lead, slaMinutes } = await loadLeadAndRules(tx, leadId, true);
    const d: Decision = {
      ownerId,
      teamId: lead.teamId,
      ruleId: null,
      strategy: "manual",
      reason: ownerId ? "assigned by hand" : "returned to the queue by hand",
      skipped: [],
    };
    return applyDecision(tx, actor, lead, d, new Date(), slaMinutes);
  });
}

/** The team a lead's assignment would start with (the first matching rule's), to pick its coordinator. */
export async function firstMatchingTeam(tx: Tx, leadId: string): Promise<string | null> {
  const { lead, rules } = await loadLeadAndRules(tx, leadId, false);
  const facts = factsOf(lead);
  const rule = rules.find((r) => ruleMatches(r.conditions, facts));
  return rule ? (rule.teamId ?? `owner:${rule.ownerId}`) : null;
}
