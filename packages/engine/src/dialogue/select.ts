// Choosing a route for a new request: the router's ranking (or a validated choose_route proposal),
// filtered by entry conditions (channel, business hours, contact attributes), ties broken by priority.
import { knowledgeConfidence } from "../knowledge/extractive.js";
import { contentTerms } from "../knowledge/text.js";
import type { RouterCandidate } from "../router/types.js";
import { evaluateCondition } from "../routes/conditions.js";
import type { Route } from "../routes/schema.js";
import { isWithinBusinessHours } from "./businessHours.js";
import { requestHandoff } from "./handoff.js";
import { askKnowledge, requestKnowledge } from "./knowledge.js";
import { startRoute } from "./script.js";
import { isQuestion } from "./signals.js";
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

/**
 * How sure a route is of a message, on the knowledge base's scale: the share of the message's content
 * terms the route knows (name, description, examples). The router's own confidence only ranks routes
 * against each other; a message about a product no route mentions ("how much does the cargo bike
 * cost?") is a weak match however clearly "how much" points at a pricing playbook.
 */
export function routeConfidence(text: string, route: Route): number {
  const asked = contentTerms(text);
  if (asked.size === 0) return 1;
  const known = contentTerms([route.name, route.description ?? "", ...route.examples].join(" "));
  let covered = 0;
  for (const t of asked) if (known.has(t)) covered++;
  return covered / asked.size;
}

/**
 * A chosen route competes with the knowledge base when the host retrieves: the first run asks for
 * the chunks (true: wait for them), the re-run answers from knowledge when its best answer covers more
 * of the question than the route does (true: answered). Ties go to the playbook the owner wrote.
 */
function knowledgeWins(turn: Turn, route: Route): boolean {
  if (!turn.ctx.retrievesKnowledge) return false;
  const mine = routeConfidence(turn.text, route);
  // The owner's own example (also inside a longer message) is theirs; otherwise a question the route
  // covers fully may still be better answered by the pages.
  if (isExample(turn.text, route) || (mine >= 1 && !isQuestion(turn.text))) return false;
  const knowledge = turn.input.knowledge;
  if (knowledge === undefined) {
    askKnowledge(turn);
    return true;
  }
  const theirs = knowledgeConfidence(turn.question, knowledge, turn.ctx.knowledgePolicy);
  // A question both could take ("what volume discounts do you offer?") is answered; a request
  // ("we need 20 desks") the playbook matches as well as the pages goes to the playbook. A playbook
  // that knows under half of the message ("the desk says HOT") never starts on it: the pages answer,
  // or the customer hears that we are not sure and is offered a person.
  const answers = theirs > 0 && (theirs > mine || (theirs === mine && isQuestion(turn.text)));
  const weak = isQuestion(turn.text) ? mine <= WEAK_ROUTE : mine < WEAK_ROUTE;
  if (!answers && !weak) return false;
  turn.event({
    type: "route.outranked",
    routeId: route.id,
    routeConfidence: mine,
    knowledgeConfidence: theirs,
  });
  requestKnowledge(turn);
  return true;
}

/** Below this share of a message's terms (at most it, for a question) a route is too weak to start on. */
const WEAK_ROUTE = 0.5;

const normalExample = (s: string) =>
  ` ${s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()} `;
/** One of the route's examples, or one of three words or more said in full ("I want a quote for…"). */
function isExample(text: string, route: Route): boolean {
  const t = normalExample(text);
  return route.examples.some((e) => {
    const example = normalExample(e);
    return example === t || (example.trim().split(" ").length >= 3 && t.includes(example));
  });
}

export function selectAndStart(turn: Turn): void {
  const proposed = turn.proposals.routeId ? turn.route(turn.proposals.routeId) : undefined;
  if (proposed && isEligible(turn, proposed)) {
    if (knowledgeWins(turn, proposed)) return;
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
  // The adjudicator is asked before the knowledge base competes, so one round trip serves both.
  const adjudicate = selection.needsAdjudication && turn.mayAskAi;
  if (adjudicate)
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
  if (knowledgeWins(turn, best.route)) return;
  if (selection.needsAdjudication) {
    const count = turn.state.lowConfidenceCount + 1;
    turn.state.lowConfidenceCount = count;
    turn.event({ type: "route.low_confidence", candidates: ranked.map((r) => r.route.id), count });
    if (count >= turn.config.maxLowConfidence) {
      requestHandoff(turn, "low_confidence");
      return;
    }
  } else turn.state.lowConfidenceCount = 0;
  startRoute(turn, best.route, best.candidate.confidence, "router");
}
