// The customer's reply to an ask step: extract and validate the field, check cross-field rules,
// re-ask with a clear message, or apply the step's max-attempts policy.
import { checkCrossFieldRules } from "../forms/crossField.js";
import { extractField } from "../forms/extract.js";
import { reaskMessage } from "../forms/messages.js";
import type { AskStep, Route } from "../routes/schema.js";
import { renderTemplate } from "../routes/template.js";
import { requestHandoff } from "./handoff.js";
import { requestKnowledge } from "./knowledge.js";
import { promptAsk, runFrom } from "./script.js";
import { isQuestion } from "./signals.js";
import type { Turn } from "./turn.js";

export function answerAsk(turn: Turn, route: Route, step: AskStep): void {
  const fromProposal = turn.proposals.field;
  const result = fromProposal
    ? { ok: true as const, value: fromProposal.value }
    : extractField(step.field, turn.text, turn.extractContext());
  if (!result.ok) {
    // A question instead of an answer: answer it from knowledge, then ask again; not a failed attempt.
    if (result.reason === "not_found" && isQuestion(turn.text)) {
      turn.state.turnsWithoutProgress++;
      requestKnowledge(turn);
      promptAsk(turn, route, step, "ask");
      return;
    }
    const custom = step.reask ? renderTemplate(step.reask, turn.scope(route)) : undefined;
    reject(turn, route, step, result.reason, custom ?? reaskMessage(step.field, result.reason));
    return;
  }
  const name = step.field.name;
  turn.state.fields = { ...turn.state.fields, [name]: result.value };
  const violations = checkCrossFieldRules(route.rules ?? [], turn.scope(route), name);
  const first = violations[0];
  if (first) {
    const { [name]: _dropped, ...rest } = turn.state.fields;
    turn.state.fields = rest;
    reject(turn, route, step, `rule:${first.ruleId}`, renderTemplate(first.message, turn.scope(route)));
    return;
  }
  turn.state.turnsWithoutProgress = 0;
  turn.event({
    type: "form.field_collected",
    routeId: route.id,
    stepId: step.id,
    field: name,
    via: fromProposal ? "proposal" : "extractor",
    skipped: result.value === null,
  });
  runFrom(turn, route, step.next);
}

function reject(turn: Turn, route: Route, step: AskStep, reason: string, message: string): void {
  const active = turn.state.active;
  if (!active) return;
  const attempt = active.attempts + 1;
  turn.state.active = { ...active, attempts: attempt };
  turn.state.turnsWithoutProgress++;
  turn.event({
    type: "form.field_rejected",
    routeId: route.id,
    stepId: step.id,
    field: step.field.name,
    reason,
    attempt,
  });
  if (attempt < step.maxAttempts) {
    turn.reply({
      kind: "reask",
      text: message,
      routeId: route.id,
      stepId: step.id,
      quickReplies: step.field.type === "choice" ? step.field.options?.map((o) => o.label) : undefined,
    });
    return;
  }
  // Out of attempts: the route's policy decides, and the stall counter no longer applies.
  turn.state.turnsWithoutProgress = 0;
  if (step.onMaxAttempts === "skip") {
    turn.event({
      type: "form.field_collected",
      routeId: route.id,
      stepId: step.id,
      field: step.field.name,
      via: "extractor",
      skipped: true,
    });
    runFrom(turn, route, step.next);
  } else if (step.onMaxAttempts === "end") {
    turn.event({ type: "route.abandoned", routeId: route.id, stepId: step.id, reason: "max_attempts" });
    turn.state.active = null;
    turn.reply({
      kind: "system",
      text: "Sorry, I couldn't get that. Is there anything else I can help with?",
    });
  } else {
    requestHandoff(turn, "max_attempts");
  }
}
