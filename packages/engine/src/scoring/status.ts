export type LeadStatus = "new" | "qualifying" | "mql" | "sql" | "converted" | "disqualified";
export type StatusThresholds = { qualifying: number; mql: number; sql: number };

const RANK: Record<LeadStatus, number> = {
  new: 0,
  qualifying: 1,
  mql: 2,
  sql: 3,
  converted: 4,
  disqualified: 4,
};

/**
 * The status a score earns. Thresholds only move a lead forward (new → qualifying → MQL → SQL): a
 * score that decays does not demote a lead a person may already be working, and converted or
 * disqualified leads are decided by people, never by the score.
 */
export function statusForScore(current: LeadStatus, score: number, t: StatusThresholds): LeadStatus {
  if (current === "converted" || current === "disqualified") return current;
  const earned: LeadStatus =
    score >= t.sql ? "sql" : score >= t.mql ? "mql" : score >= t.qualifying ? "qualifying" : "new";
  return RANK[earned] > RANK[current] ? earned : current;
}

/** Which manual moves are allowed: any forward move, or out to converted/disqualified, never back out. */
export function canMoveLead(from: LeadStatus, to: LeadStatus): boolean {
  if (from === to) return true;
  if (from === "converted" || from === "disqualified") return false;
  return true;
}
