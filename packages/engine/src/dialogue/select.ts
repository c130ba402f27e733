// Choosing a route for a new request: the router's ranking (or a validated choose_route proposal),
// filtered by entry conditions (channel, business hours, contact attributes), ties broken by priority.
import type { RouterCandidate } from "../router/types.js";
import { evaluateCondition } from "../routes/conditions.js";
import type { Route } from "../routes/schema.js";
import { isWithinBusinessHours } from "./businessHours.js";
import { requestHandoff } from "./handoff.js";
import { requestKnowledge } from "./knowledge.js";
import { startRoute } from "./script.js";
import type { Turn } from "./turn.js";

/** Candidates whose confidence is this close count as tied, and priority decides. */
const TIE = 0.02;

export function isEligible(turn: Turn, route: Route): boolean {
  if (!route.enabled) return false;
  const entry = route.entry;
  if (!entry) return true;
  if (entry.channels && !entry.channels.includes(turn.ctx.channel)) return false;
  if (entry.businessHours !== "any") {
    const open = isWithinBusinessHours(turn.ctx.now, turn.ctx.timeZone, turn.ctx.businessHours);
    if (open !== (entry.businessHours === "open")) return false;
  }
  return evaluateCondition(entry.contact, turn.scope(route));
}

function rank(turn: Turn, candidates: RouterCandidate[]): { route: Route; candidate: RouterCandidate }[] {
  const eligible = candidates.flatMap((c) => {
    const route = turn.route(c.routeId);
    return route && isEligible(turn, route) ? [{ route, candidate: c }] : [];
  });
  return eligible.sort((a, b) =>
    Math.abs(a.candidate.confidence - b.candidate.confidence) <= TIE
      ? b.route.priority - a.route.priority || b.candidate.confidence - a.candidate.confidence
      : b.candidate.confidence - a.candidate.confidence,
  );
}

export function selectAndStart(turn: Turn): void {
  const proposed = turn.proposals.routeId ? turn.route(turn.proposals.routeId) : undefined;
  if (proposed && isEligible(turn, proposed)) {
    turn.state.lowConfidenceCount = 0;
    startRoute(turn, proposed, 1, "proposal");
    return;
  }
  if (proposed)
    turn.event({ type: "proposal.rejected", proposal: "choose_route", reason: "entry_conditions" });
  const selection = turn.ctx.selectRoute(turn.text);
  const ranked = selection.outOfScope ? [] : rank(turn, selection.candidates);
  const best = ranked[0];
  if (!best) {
    requestKnowledge(turn);
    return;
  }
  if (selection.needsAdjudication) {
    const count = turn.state.lowConfidenceCount + 1;
    turn.state.lowConfidenceCount = count;
    turn.event({ type: "route.low_confidence", candidates: ranked.map((r) => r.route.id), count });
    if (turn.mayAskAi)
      turn.command({
        type: "adjudicate_route",
        text: turn.text,
        candidates: ranked.slice(0, 5).map((r) => ({
          routeId: r.route.id,
          name: r.route.name,
          description: r.route.description,
          confidence: r.candidate.confidence,
        })),
      });
    if (count >= turn.config.maxLowConfidence) {
      requestHandoff(turn, "low_confidence");
      return;
    }
  } else turn.state.lowConfidenceCount = 0;
  startRoute(turn, best.route, best.candidate.confidence, "router");
}
