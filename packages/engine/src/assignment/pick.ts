import { unavailableReason } from "./availability.js";
import type { AssignableLead, AssignmentStrategy, Candidate, Pick, Skip } from "./types.js";

const time = (d: Date | string | null) => (d === null ? Number.NEGATIVE_INFINITY : new Date(d).getTime());

/**
 * Picks an owner among a team's members with one strategy, skipping those who are unavailable,
 * off hours, at capacity or lack the lead's language, territory or product. Returns who and why
 * (and who was skipped and why); `userId` null means nobody fits (the caller falls back).
 *
 * - round_robin: the eligible member assigned longest ago (never assigned first). Fair as long as
 *   picks for one team are serialised (the caller's AssignmentCoordinator does that).
 * - weighted: random in proportion to weight (`random` in [0,1) is injected for replay and tests).
 * - least_loaded: fewest open leads relative to capacity (or to weight when unlimited).
 * - specific: the given owner only.
 * Ties break on userId so the result is deterministic.
 */
export function pickAssignee(
  strategy: AssignmentStrategy,
  candidates: readonly Candidate[],
  lead: AssignableLead,
  now: Date,
  random: () => number,
  specificOwnerId?: string | null,
): Pick {
  const skipped: Skip[] = [];
  const pool = strategy === "specific" ? candidates.filter((c) => c.userId === specificOwnerId) : candidates;
  const eligible = pool.filter((c) => {
    const reason = unavailableReason(c, lead, now);
    if (reason) skipped.push({ userId: c.userId, reason });
    return reason === null;
  });
  if (eligible.length === 0) {
    const why =
      strategy === "specific" && pool.length === 0
        ? "the specific owner is not a member of the team"
        : `no eligible member (${skipped.length} skipped)`;
    return { userId: null, reason: why, skipped };
  }
  const byId = [...eligible].sort((a, b) => (a.userId < b.userId ? -1 : 1));
  let chosen: Candidate;
  let reason: string;
  switch (strategy) {
    case "specific":
      chosen = byId[0] as Candidate;
      reason = "specific owner";
      break;
    case "round_robin":
      chosen = byId.reduce((best, c) => (time(c.lastAssignedAt) < time(best.lastAssignedAt) ? c : best));
      reason = "round robin: longest since last assignment";
      break;
    case "least_loaded": {
      const load = (c: Candidate) => c.openLeads / (c.capacity ?? Math.max(1, c.weight) * 1000);
      chosen = byId.reduce((best, c) => (load(c) < load(best) ? c : best));
      reason = `least loaded: ${chosen.openLeads} open leads`;
      break;
    }
    case "weighted": {
      const total = byId.reduce((s, c) => s + Math.max(0, c.weight), 0);
      const target = random() * total;
      let cumulative = 0;
      chosen = byId.at(-1) as Candidate;
      for (const c of byId) {
        cumulative += Math.max(0, c.weight);
        if (target < cumulative) {
          chosen = c;
          break;
        }
      }
      reason = `weighted: weight ${chosen.weight} of ${total}`;
      break;
    }
  }
  return { userId: chosen.userId, reason, skipped };
}
