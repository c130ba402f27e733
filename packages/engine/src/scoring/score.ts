import { fitConditionHolds } from "./fit.js";
import type {
  EngagementEvent,
  LeadScore,
  LeadSignals,
  ScorableLead,
  ScoreLine,
  ScoringRule,
} from "./types.js";

const DAY_MS = 86_400_000;
export const MAX_SCORE = 100;

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The worth of one event `ageDays` old under a half-life: points × 0.5^(age / halfLife). */
export function decayed(points: number, ageDays: number, halfLifeDays: number): number {
  if (halfLifeDays <= 0) return ageDays <= 0 ? points : 0;
  return points * 0.5 ** (Math.max(0, ageDays) / halfLifeDays);
}

function signalHolds(rule: Extract<ScoringRule, { kind: "signal" }>, signals: LeadSignals): boolean {
  switch (rule.signal) {
    case "budget":
      return typeof signals.budget === "number" && signals.budget >= (rule.minBudget ?? 0);
    case "authority":
      return signals.authority === true;
    case "need":
      return typeof signals.need === "string" && signals.need.trim() !== "";
    case "timeline":
      return typeof signals.timeline === "string" && signals.timeline.trim() !== "";
  }
}

function engagementPoints(
  rule: Extract<ScoringRule, { kind: "engagement" }>,
  events: EngagementEvent[],
  now: Date,
): number {
  // Most recent first, so maxEvents keeps the ones worth the most.
  const ages = events
    .filter((e) => e.type === rule.eventType)
    .map((e) => (now.getTime() - new Date(e.occurredAt).getTime()) / DAY_MS)
    .sort((a, b) => a - b)
    .slice(0, rule.maxEvents ?? Number.POSITIVE_INFINITY);
  return ages.reduce((sum, age) => sum + decayed(rule.points, age, rule.halfLifeDays), 0);
}

/**
 * Scores a lead: fit rules (attribute conditions), engagement rules (events with decay) and BANT
 * signals. Every rule that contributes gets a line in the breakdown, so the score explains itself.
 * The total is rounded and kept within 0…100 so that tenant thresholds mean the same over time.
 */
export function scoreLead(
  rules: readonly ScoringRule[],
  lead: ScorableLead,
  events: readonly EngagementEvent[],
  now: Date,
): LeadScore {
  const breakdown: ScoreLine[] = [];
  for (const rule of rules) {
    let points = 0;
    if (rule.kind === "fit") points = fitConditionHolds(rule.condition, lead.attributes) ? rule.points : 0;
    else if (rule.kind === "signal") points = signalHolds(rule, lead.signals) ? rule.points : 0;
    else points = engagementPoints(rule, [...events], now);
    if (points !== 0) breakdown.push({ kind: rule.kind, label: rule.label, points: round2(points) });
  }
  const total = breakdown.reduce((sum, line) => sum + line.points, 0);
  return { score: Math.min(MAX_SCORE, Math.max(0, Math.round(total))), breakdown };
}
