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
  type Candidate,
  pickAssignee,
  type RuleConditions,
  ruleMatches,
  type Skip,
} from "@autopilot/engine";
import { eq, getTableColumns, inArray, type SQL, sql } from "drizzle-orm";
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
  /** Teams already locked in this transaction, with their candidates as the batch left them. */
  teams?: TeamCache;
};

/**
 * A batch's view of its teams (assignments of many leads in one transaction): each team's row is
 * locked and its members read once, then kept up to date here as leads are assigned (the owner's
 * open leads and round-robin time), so a lead costs two round trips instead of four.
 */
export type TeamCache = Map<string, Candidate[]>;

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
 * The leads (locked FOR UPDATE when assigning), the tenant's enabled rules in order and its
 * first-touch SLA, in one statement however many leads: assignment is a hot path and each round trip
 * to the database counts (the rules and the SLA are uncorrelated, so they are read once).
 */
async function loadLeadsAndRules(tx: Tx, leadIds: string[], lock: boolean) {
  const query = tx
    .select({
      lead: leads,
      rules: sql<RuleRow[]>`(select coalesce(json_agg(json_build_object('id', r.id, 'name', r.name,
        'strategy', r.strategy, 'teamId', r.team_id, 'ownerId', r.owner_id, 'conditions', r.conditions)
        order by r.position, r.created_at), '[]'::json) from assignment_rules r where r.enabled)`,
      slaMinutes: sql<number | null>`(select s.first_touch_sla_minutes from sales_settings s limit 1)`,
    })
    .from(leads)
    .where(inArray(leads.id, leadIds))
    .orderBy(leads.id);
  const rows = lock ? await query.for("update", { of: leads }) : await query;
  return {
    leads: new Map(rows.map((r) => [r.lead.id, r.lead])),
    rules: rows[0]?.rules ?? [],
    slaMinutes: rows[0]?.slaMinutes ?? DEFAULT_SALES_SETTINGS.firstTouchSlaMinutes,
  };
}

async function loadLeadAndRules(tx: Tx, leadId: string, lock: boolean) {
  const { leads: found, rules, slaMinutes } = await loadLeadsAndRules(tx, [leadId], lock);
  const lead = found.get(leadId);
  if (!lead) throw notFound("lead");
  return { lead, rules, slaMinutes };
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
  const { lead, rules, slaMinutes } = await loadLeadAndRules(tx, leadId, true);
  const decision = await decide(tx, lead, rules, opts, now);
  const [applied] = await applyDecisions(
    tx,
    opts.actor ?? systemActor(tenantId),
    [{ lead, d: decision }],
    now,
    slaMinutes,
  );
  if (!applied) throw notFound("lead");
  return applied;
}

/** The rules' decision for one lead (refused when it is closed); reads candidates, writes nothing. */
async function decide(
  tx: Tx,
  lead: typeof leads.$inferSelect,
  rules: RuleRow[],
  opts: AssignOptions,
  now: Date,
): Promise<Decision> {
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
          ? await teamCandidates(tx, rule.teamId, opts.teams)
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
  if (opts.teams) noteInBatch(opts.teams, lead.ownerId, decision);
  return decision;
}

async function teamCandidates(tx: Tx, teamId: string, teams: TeamCache | undefined) {
  if (!teams) return loadTeamCandidates(tx, teamId);
  let members = teams.get(teamId);
  if (!members) {
    members = await loadTeamCandidates(tx, teamId);
    teams.set(teamId, members);
  }
  return members;
}

/** What a decision changed, in the batch's cached candidates (as the database now has it). */
function noteInBatch(teams: TeamCache, previousOwner: string | null, d: Decision) {
  for (const members of teams.values()) {
    for (const m of members) {
      if (previousOwner && m.userId === previousOwner && previousOwner !== d.ownerId) m.openLeads--;
      if (m.userId !== d.ownerId) continue;
      if (previousOwner !== d.ownerId) m.openLeads++;
    }
  }
  const owner = d.ownerId && d.teamId ? teams.get(d.teamId)?.find((m) => m.userId === d.ownerId) : undefined;
  if (!owner) return;
  // After every other member's time, as clock_timestamp() in the write is (monotonic in the batch).
  const latest = Math.max(
    Date.now(),
    ...(teams.get(d.teamId ?? "") ?? []).map((m) =>
      m.lastAssignedAt ? new Date(m.lastAssignedAt).getTime() + 1 : 0,
    ),
  );
  owner.lastAssignedAt = new Date(latest);
}

/**
 * Writes decisions in ONE statement, however many: each lead's new owner, team and SLA due time; the
 * members' round-robin times; the decisions with their reasons; lead.assigned in the outbox; the
 * owners' notifications. Data-modifying CTEs all run, in one snapshot, whether or not the result
 * reads them. Returns the leads as written, in the order given.
 */
async function applyDecisions(
  tx: Tx,
  actor: SalesActor,
  items: { lead: typeof leads.$inferSelect; d: Decision }[],
  now: Date,
  slaMinutes: number,
): Promise<{ lead: LeadView; decision: Decision }[]> {
  if (items.length === 0) return [];
  const rows = items.map(({ lead, d }, ord) => ({
    lead,
    d,
    ord,
    slaDueAt: d.ownerId && !lead.firstTouchedAt ? new Date(now.getTime() + slaMinutes * 60_000) : null,
  }));
  const notified = rows.filter((r) => r.d.ownerId);
  // Each member's round-robin time, as the batch left it: after the team's latest (the database's
  // clock, read while the team row is locked, or a millisecond past the latest time already there),
  // a millisecond apart in the batch's order, so the next batch (and pickAssignee, which compares
  // milliseconds) sees them in the order they were assigned.
  const latest = new Map<string, { team_id: string; user_id: string; ord: number }>();
  for (const r of rows)
    if (r.d.ownerId && r.d.teamId) {
      const key = `${r.d.teamId}:${r.d.ownerId}`;
      latest.delete(key);
      latest.set(key, { team_id: r.d.teamId, user_id: r.d.ownerId, ord: r.ord });
    }
  const members = [...latest.values()].map((m, rank) => ({ team_id: m.team_id, user_id: m.user_id, rank }));
  const writes: SQL[] = [
    tx
      .insert(assignmentDecisions)
      .values(
        rows.map(({ lead, d }) => ({
          tenantId: actor.tenantId,
          leadId: lead.id,
          ruleId: d.ruleId,
          teamId: d.teamId,
          ownerId: d.ownerId,
          strategy: d.strategy,
          reason: d.reason.slice(0, 2000),
          skipped: d.skipped,
        })),
      )
      .getSQL(),
    tx
      .insert(outbox)
      .values(
        rows.map(({ lead, d }) =>
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
        ),
      )
      .getSQL(),
  ];
  if (members.length > 0) {
    writes.push(sql`update ${teamMembers} t
      set last_assigned_at = greatest(clock_timestamp(),
          (select max(m.last_assigned_at) + interval '1 millisecond' from ${teamMembers} m where m.team_id = v.team_id))
        + v.rank * interval '1 millisecond'
      from jsonb_to_recordset(${JSON.stringify(members)}::jsonb) as v(team_id uuid, user_id uuid, rank int)
      where t.team_id = v.team_id and t.user_id = v.user_id`);
  }
  if (notified.length > 0) {
    writes.push(
      tx
        .insert(notifications)
        .values(
          notified.map(({ lead, d, slaDueAt }) => ({
            tenantId: actor.tenantId,
            userId: d.ownerId as string,
            kind: "lead.assigned",
            title: `New lead: ${lead.title || "untitled"}`,
            body: d.reason.slice(0, 500),
            data: { leadId: lead.id, slaDueAt: slaDueAt?.toISOString() ?? null },
          })),
        )
        .getSQL(),
    );
  }
  const values = JSON.stringify(
    rows.map(({ lead, d, slaDueAt }) => ({
      lead_id: lead.id,
      owner_id: d.ownerId,
      team_id: d.teamId,
      assigned_at: d.ownerId ? now.toISOString() : null,
      sla_due_at: slaDueAt?.toISOString() ?? null,
    })),
  );
  const updated = await tx
    .with(...writes.map((w, i) => tx.$with(`w${i}`, {}).as(w)))
    .update(leads)
    .set({
      ownerId: sql`v.owner_id`,
      teamId: sql`v.team_id`,
      assignedAt: sql`v.assigned_at`,
      slaDueAt: sql`v.sla_due_at`,
    })
    .from(
      sql`jsonb_to_recordset(${values}::jsonb) as v(lead_id uuid, owner_id uuid, team_id uuid, assigned_at timestamptz, sla_due_at timestamptz)`,
    )
    .where(eq(leads.id, sql`v.lead_id`))
    .returning(getTableColumns(leads));
  const byId = new Map(updated.map((l) => [l.id, l]));
  return rows.flatMap(({ lead, d }) => {
    const row = byId.get(lead.id);
    return row ? [{ lead: leadView(row), decision: d }] : [];
  });
}

/** assignLeadInTx in its own tenant transaction. */
export async function assignLead(db: Database, tenantId: string, leadId: string, opts: AssignOptions = {}) {
  return withTenant(db, tenantId, (tx) => assignLeadInTx(tx, tenantId, leadId, opts));
}

export type AssignRequest = { leadId: string; opts?: Pick<AssignOptions, "exclude" | "cause"> };
export type AssignOutcome = { ok: true; lead: LeadView; decision: Decision } | { ok: false; error: AppError };

/**
 * Assigns many leads of one tenant in ONE transaction, in the order given, each exactly as
 * assignLeadInTx would (the same rules, fairness and writes), each team locked and read once. A lead
 * that is refused (closed, gone) is refused alone: those refusals happen before any write, so the
 * transaction goes on. A database fault rolls the batch back, and each lead is then tried in its own
 * transaction, so one bad lead cannot fail the others.
 */
export async function assignLeads(
  db: Database,
  tenantId: string,
  requests: AssignRequest[],
): Promise<AssignOutcome[]> {
  try {
    return await withTenant(db, tenantId, (tx) => assignLeadsInTx(tx, tenantId, requests));
  } catch (error) {
    if (requests.length <= 1) throw error;
    return oneByOne(requests, (r) => assignLead(db, tenantId, r.leadId, r.opts));
  }
}

/** Each lead in turn with its own outcome: its assignment, or the refusal it met (faults are thrown). */
async function oneByOne(
  requests: AssignRequest[],
  assign: (r: AssignRequest) => Promise<{ lead: LeadView; decision: Decision }>,
): Promise<AssignOutcome[]> {
  const out: AssignOutcome[] = [];
  for (const r of requests) {
    try {
      out.push({ ok: true, ...(await assign(r)) });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      out.push({ ok: false, error: e });
    }
  }
  return out;
}

/** The batch in the caller's transaction: one read of the leads, the decisions, one write of them all. */
async function assignLeadsInTx(
  tx: Tx,
  tenantId: string,
  requests: AssignRequest[],
): Promise<AssignOutcome[]> {
  const now = new Date();
  const ids = requests.map((r) => r.leadId);
  // A lead asked for twice in one batch: each goes on its own (the second sees the first's write).
  if (new Set(ids).size !== ids.length)
    return oneByOne(requests, (r) => assignLeadInTx(tx, tenantId, r.leadId, r.opts));
  const { leads: found, rules, slaMinutes } = await loadLeadsAndRules(tx, ids, true);
  const teams: TeamCache = new Map();
  const refused = new Map<string, AppError>();
  const decided: { lead: typeof leads.$inferSelect; d: Decision }[] = [];
  for (const r of requests) {
    const lead = found.get(r.leadId);
    if (!lead) {
      refused.set(r.leadId, notFound("lead"));
      continue;
    }
    try {
      decided.push({ lead, d: await decide(tx, lead, rules, { ...r.opts, teams }, now) });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      refused.set(r.leadId, e);
    }
  }
  const applied = await applyDecisions(tx, systemActor(tenantId), decided, now, slaMinutes);
  const byId = new Map(applied.map((a) => [a.lead.id, a]));
  return requests.map((r): AssignOutcome => {
    const a = byId.get(r.leadId);
    return a ? { ok: true, ...a } : { ok: false, error: refused.get(r.leadId) ?? notFound("lead") };
  });
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
    const [applied] = await applyDecisions(tx, actor, [{ lead, d }], new Date(), slaMinutes);
    if (!applied) throw notFound("lead");
    return applied;
  });
}

/** The team a lead's assignment would start with (the first matching rule's), to pick its coordinator. */
export async function firstMatchingTeam(tx: Tx, leadId: string): Promise<string | null> {
  const { lead, rules } = await loadLeadAndRules(tx, leadId, false);
  const facts = factsOf(lead);
  const rule = rules.find((r) => ruleMatches(r.conditions, facts));
  return rule ? (rule.teamId ?? `owner:${rule.ownerId}`) : null;
}
