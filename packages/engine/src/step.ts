// step(state, input, ctx): one customer message in, the next state and what to say and do out.
// Pure and deterministic given ctx.now and ctx.random, so a DO can replay or re-run a turn (e.g. with
// LLM proposals for the same input) and get the same result.

import { answerAsk } from "./dialogue/answer.js";
import type { Command } from "./dialogue/commands.js";
import type { Reply, StepContext, StepInput } from "./dialogue/context.js";
import type { EngineEvent } from "./dialogue/events.js";
import { continueFollowUpEmail, requestHandoff } from "./dialogue/handoff.js";
import { answerOffer, requestKnowledge } from "./dialogue/knowledge.js";
import { acceptProposals } from "./dialogue/proposals.js";
import { selectAndStart } from "./dialogue/select.js";
import { asksForHuman, frustrationScore, isCancel, isPromptInjection } from "./dialogue/signals.js";
import { type ConversationState, ConversationStateSchema } from "./dialogue/state.js";
import { Turn } from "./dialogue/turn.js";
import { MAX_TEXT_LENGTH, stripInvisible } from "./forms/text.js";
import { type KnowledgeQuestion, knowledgeQuestion } from "./knowledge/question.js";
import { renderTemplate } from "./routes/template.js";

export type StepResult = {
  state: ConversationState;
  replies: Reply[];
  commands: Command[];
  events: EngineEvent[];
};

export const ENGINE_MESSAGES = {
  greeting: "Hi {{contact.firstName|there}}! How can I help you today?",
  cancelled: "No problem — I've stopped that. Is there anything else I can help with?",
  thanks: "You're welcome! Is there anything else I can help with?",
  refused: "I can't help with that, but I'm happy to help with questions about our products and services.",
  identity:
    "I'm the virtual assistant of {{business.name|this business}}: ask me about our products and services, and I can connect you with our team.",
};

const THANKS =
  /^(thanks?( you)?( so much| a lot)?|thx|ty|cheers|great,? thanks?( you)?|perfect,? thanks?( you)?)[!. ]*$/i;
const GREETING = /^(hi|hello|hey|hiya|good (morning|afternoon|evening))( there)?[!. ]*$/i;
/** "Hi! What do you sell?" is the question: the greeting in front is not answered on its own. */
const GREETING_FIRST = /^(hi|hello|hey|hiya|good (morning|afternoon|evening))( there)?[!.,]*\s+(?=\S)/i;
const IDENTITY = /^(who|what) are you\b|^are you (a |an )?(bot|robot|human|real|person|ai|machine)\b/i;

/** A message as a turn reads it: visible characters, single spaces, bounded, a leading "Hi!" set aside. */
export function messageText(raw: string): string {
  const said = stripInvisible(raw).replace(/\s+/g, " ").trim().slice(0, MAX_TEXT_LENGTH);
  return GREETING.test(said) ? said : said.replace(GREETING_FIRST, "");
}

/** The question a message asks the knowledge base in this conversation (what the turn will ask). */
export function knowledgeQuestionOf(raw: string, state: ConversationState): KnowledgeQuestion {
  return knowledgeQuestion(messageText(raw), state.lastQuestion);
}

export function step(previous: ConversationState, input: StepInput, ctx: StepContext): StepResult {
  // Parse a deep copy: the caller's state is never mutated, and a malformed stored state fails loudly.
  const state = ConversationStateSchema.parse(structuredClone(previous));
  state.turn++;
  state.routesVersion ??= ctx.routesVersion;
  const text = messageText(input.text);
  const { accepted, events } = acceptProposals(input.proposals, {
    state,
    routes: ctx.routes,
    knowledge: input.knowledge ?? [],
    knowledgePolicy: ctx.knowledgePolicy,
    extract: {
      now: ctx.now,
      timeZone: ctx.timeZone,
      defaultCountry: ctx.defaultCountry,
      defaultCurrency: ctx.defaultCurrency,
    },
  });
  const turn = new Turn(state, input, text, ctx, accepted);
  for (const e of events) turn.event(e);
  run(turn);
  // Rephrasings for say steps this turn never reached were not used.
  for (const stepId of turn.proposals.rephrase.keys())
    turn.event({ type: "proposal.rejected", proposal: "rephrase", reason: `step_not_reached:${stepId}` });
  return {
    state: ConversationStateSchema.parse(turn.state),
    replies: turn.replies,
    commands: turn.commands,
    events: turn.events,
  };
}

function run(turn: Turn): void {
  const { state, text } = turn;
  if (state.handoff?.status === "requested") {
    // A human owns the conversation now; the host routes messages to the inbox.
    turn.event({ type: "conversation.turn_ignored", reason: "handed_off" });
    return;
  }
  if (state.handoff?.status === "awaiting_email") {
    continueFollowUpEmail(turn);
    return;
  }
  // Frustration builds up over consecutive heated messages and cools by one with each calm one.
  const heat = frustrationScore(text, turn.config.profanity);
  state.frustration = heat > 0 ? state.frustration + heat : Math.max(0, state.frustration - 1);
  const trigger = asksForHuman(text)
    ? "customer_request"
    : turn.proposals.handoff
      ? "ai_proposal"
      : state.frustration >= turn.config.frustrationThreshold
        ? "frustration"
        : null;
  if (trigger) {
    delete state.offer;
    requestHandoff(turn, trigger);
    return;
  }
  if (answerOffer(turn)) return;
  if (isPromptInjection(text)) {
    // Untrusted text that tries to steer the assistant fills no field, picks no route and triggers nothing.
    state.turnsWithoutProgress++;
    turn.event({ type: "input.flagged", reason: "prompt_injection" });
    turn.reply({ kind: "system", text: ENGINE_MESSAGES.refused });
  } else if (state.active) continueRoute(turn);
  else if (GREETING.test(text))
    turn.reply({ kind: "say", text: renderTemplate(ENGINE_MESSAGES.greeting, turn.scope()) });
  else if (THANKS.test(text)) turn.reply({ kind: "say", text: ENGINE_MESSAGES.thanks });
  else if (IDENTITY.test(text))
    turn.reply({ kind: "say", text: renderTemplate(ENGINE_MESSAGES.identity, turn.scope()) });
  // "And the Mini?" continues the last question, and "what do you sell?" asks the pages: not a playbook.
  else if (turn.question.direct) requestKnowledge(turn);
  else if (text) selectAndStart(turn);
  if (state.handoff === null && state.turnsWithoutProgress >= turn.config.noProgressTurns)
    requestHandoff(turn, "no_progress");
}

function continueRoute(turn: Turn): void {
  const active = turn.state.active;
  if (!active) return;
  const route = turn.route(active.routeId);
  const current = route?.steps.find((s) => s.id === active.stepId);
  if (!route || current?.kind !== "ask") {
    // The routes changed under the conversation (the host should pass the routes of state.routesVersion).
    turn.event({
      type: "route.abandoned",
      routeId: active.routeId,
      stepId: active.stepId,
      reason: "routes_changed",
    });
    turn.state.active = null;
    selectAndStart(turn);
    return;
  }
  if (isCancel(turn.text)) {
    turn.event({
      type: "route.abandoned",
      routeId: route.id,
      stepId: current.id,
      reason: "customer_cancelled",
    });
    turn.state.active = null;
    turn.reply({ kind: "system", text: ENGINE_MESSAGES.cancelled });
    return;
  }
  answerAsk(turn, route, current);
}
