import { leadEvents, leads, scoringRules, type Tx } from "@autopilot/db";
import { type ScoringRule, scoreLead, statusForScore } from "@autopilot/engine";
import { and, asc, desc, eq, gte } from "drizzle-orm";
import { recordEvent } from "../../events/outbox.js";
import { eventActor, type SalesActor } from "../crm/actor.js";
import { notFound } from "../errors.js";
import { loadSalesSettings } from "./settings.js";
import { recordStatusChange } from "./status-history.js";

const EVENT_WINDOW_DAYS = 365;
const MAX_EVENTS = 1000;

export async function loadScoringRules(tx: Tx): Promise<ScoringRule[]> {
  const rows = await tx
    .select()
    .from(scoringRules)
    .orderBy(asc(scoringRules.position), asc(scoringRules.createdAt));
  return rows.map((r) => ({ ...r.rule, kind: r.kind, label: r.label, points: r.points }) as ScoringRule);
}

/**
 * Recomputes a lead's score from the tenant's rules, its attributes, signals and engagement events
 * (the last year, newest 1000), stores score and breakdown, and lets thresholds move its status.
 * Writes lead.scored when the score changed and lead.status_changed when the status did.
 */
export async function rescoreLead(tx: Tx, actor: SalesActor, leadId: string, now = new Date()) {
  const [lead] = await tx.select().from(leads).where(eq(leads.id, leadId)).for("update");
  if (!lead) throw notFound("lead");
  const [rules, settings, events] = [
    await loadScoringRules(tx),
    await loadSalesSettings(tx),
    await tx
      .select({ type: leadEvents.type, occurredAt: leadEvents.occurredAt })
      .from(leadEvents)
      .where(
        and(
          eq(leadEvents.leadId, leadId),
          gte(leadEvents.occurredAt, new Date(now.getTime() - EVENT_WINDOW_DAYS * 86_400_000)),
        ),
      )
      .orderBy(desc(leadEvents.occurredAt))
      .limit(MAX_EVENTS),
  ];
  const { score, breakdown } = scoreLead(
    rules,
    { attributes: lead.attributes, signals: lead.signals },
    events,
    now,
  );
  const status = statusForScore(lead.status, score, {
    qualifying: settings.qualifyingScore,
    mql: settings.mqlScore,
    sql: settings.sqlScore,
  });
  const [updated] = await tx
    .update(leads)
    .set({ score, scoreBreakdown: breakdown, scoredAt: now, status })
    .where(eq(leads.id, leadId))
    .returning();
  const common = {
    tenantId: actor.tenantId,
    actor: eventActor(actor),
    subjects: { lead: leadId, contact: lead.contactId },
  };
  if (score !== lead.score || lead.scoredAt === null) {
    await recordEvent(tx, {
      ...common,
      type: "lead.scored",
      properties: { score, previousScore: lead.scoredAt === null ? null : lead.score, breakdown },
    });
  }
  await recordStatusChange(tx, actor, {
    leadId,
    contactId: lead.contactId,
    from: lead.status,
    to: status,
    reason: `score ${score} reached the ${status} threshold`,
    automatic: true,
  });
  if (!updated) throw notFound("lead");
  return updated;
}
