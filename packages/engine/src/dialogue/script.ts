// Runs a route's script from a step until it needs the customer (an ask) or the route ends.
import { evaluateCondition } from "../routes/conditions.js";
import type { ActionStep, Route, Step } from "../routes/schema.js";
import { renderTemplate } from "../routes/template.js";
import type { Command } from "./commands.js";
import { requestHandoff } from "./handoff.js";
import { checkRephrase } from "./proposals.js";
import type { Turn } from "./turn.js";

/** Starts a route: fresh fields, first step. */
export function startRoute(turn: Turn, route: Route, confidence: number, via: "router" | "proposal"): void {
  const first = route.steps[0] as Step;
  turn.state.fields = {};
  turn.state.active = { routeId: route.id, stepId: first.id, attempts: 0, formCompleted: false };
  turn.state.turnsWithoutProgress = 0;
  turn.event({ type: "route.selected", routeId: route.id, confidence, via });
  runFrom(turn, route, first.id);
}

/** Sends the ask step's prompt and waits for the answer. */
export function promptAsk(
  turn: Turn,
  route: Route,
  step: Extract<Step, { kind: "ask" }>,
  kind: "ask" | "reask",
  prefix?: string,
): void {
  const prompt = renderTemplate(step.prompt, turn.scope(route));
  turn.reply({
    kind,
    text: prefix ? `${prefix} ${prompt}` : prompt,
    routeId: route.id,
    stepId: step.id,
    quickReplies: step.field.type === "choice" ? step.field.options?.map((o) => o.label) : undefined,
  });
}

export function runFrom(turn: Turn, route: Route, startId: string): void {
  let id: string | null = startId;
  for (let n = 0; id !== null; n++) {
    const step = route.steps.find((s) => s.id === id);
    const active = turn.state.active;
    if (!step || !active || n >= turn.config.maxStepsPerTurn) {
      turn.event({
        type: "route.abandoned",
        routeId: route.id,
        stepId: id,
        reason: step ? "too_many_steps" : "missing_step",
      });
      turn.state.active = null;
      return;
    }
    turn.state.active = { ...active, stepId: step.id, attempts: 0 };
    turn.event({ type: "route.step_entered", routeId: route.id, stepId: step.id, kind: step.kind });
    id = runStep(turn, route, step);
  }
}

/** Executes one step; returns the next step id, or null when the turn stops here. */
function runStep(turn: Turn, route: Route, step: Step): string | null {
  switch (step.kind) {
    case "say":
      say(turn, route, step);
      return step.next;
    case "ask":
      promptAsk(turn, route, step, "ask");
      return null;
    case "branch":
      return step.cases.find((c) => evaluateCondition(c.when, turn.scope(route)))?.next ?? step.otherwise;
    case "action":
      completeForm(turn, route);
      turn.command(actionCommand(turn, route, step));
      turn.event({ type: "action.requested", routeId: route.id, stepId: step.id, action: step.action.type });
      return step.next;
    case "handoff":
      completeForm(turn, route);
      turn.event({ type: "route.completed", routeId: route.id, outcome: "handoff" });
      finishRoute(turn, route);
      requestHandoff(turn, "route_step", {
        routeId: route.id,
        team: step.team,
        skill: step.skill,
        message: step.message ? renderTemplate(step.message, turn.scope(route)) : undefined,
      });
      return null;
    case "end":
      completeForm(turn, route);
      if (step.message)
        turn.reply({
          kind: "say",
          text: renderTemplate(step.message, turn.scope(route)),
          routeId: route.id,
          stepId: step.id,
        });
      turn.event({ type: "route.completed", routeId: route.id, outcome: "end" });
      finishRoute(turn, route);
      return null;
  }
}

function finishRoute(turn: Turn, route: Route): void {
  turn.state.active = null;
  turn.state.completedRoutes = [...turn.state.completedRoutes, route.id];
}

function say(turn: Turn, route: Route, step: Extract<Step, { kind: "say" }>): void {
  const variants = Array.isArray(step.text) ? step.text : [step.text];
  const pick = Math.min(variants.length - 1, Math.floor(turn.ctx.random() * variants.length));
  const text = renderTemplate(variants[pick] as string, turn.scope(route));
  const proposed = turn.proposals.rephrase.get(step.id);
  let final = text;
  if (proposed !== undefined) {
    turn.proposals.rephrase.delete(step.id);
    const problem = step.rephrase ? checkRephrase(text, proposed) : "rephrase_not_allowed";
    if (problem) turn.event({ type: "proposal.rejected", proposal: "rephrase", reason: problem });
    else final = proposed;
  } else if (step.rephrase && turn.mayAskAi) {
    turn.command({ type: "rephrase", routeId: route.id, stepId: step.id, text });
  }
  turn.reply({ kind: "say", text: final, routeId: route.id, stepId: step.id });
}

/** Once per route run, when the script moves past its questions: announce the form, ask AI to verify it. */
function completeForm(turn: Turn, route: Route): void {
  const active = turn.state.active;
  const asks = route.steps.filter((s) => s.kind === "ask");
  if (!active || active.formCompleted || asks.length === 0 || Object.keys(turn.state.fields).length === 0)
    return;
  turn.state.active = { ...active, formCompleted: true };
  turn.event({ type: "form.completed", routeId: route.id, fields: { ...turn.state.fields } });
  if (turn.ctx.aiAvailable) {
    const labels = Object.fromEntries(
      asks.map((s) => (s.kind === "ask" ? [s.field.name, s.field.label] : ["", ""])),
    );
    turn.command({ type: "verify_form", routeId: route.id, fields: { ...turn.state.fields }, labels });
  }
}

function actionCommand(turn: Turn, route: Route, step: ActionStep): Command {
  const at = { routeId: route.id, stepId: step.id };
  const a = step.action;
  const scope = turn.scope(route);
  switch (a.type) {
    case "create_lead":
      return { type: "create_lead", ...at, fields: { ...turn.state.fields }, source: a.source };
    case "assign":
      return { type: "assign", ...at, strategy: a.strategy, team: a.team, skill: a.skill };
    case "create_deal": {
      const v = a.valueField ? turn.state.fields[a.valueField] : undefined;
      const value =
        typeof v === "number"
          ? { amount: v, currency: turn.ctx.defaultCurrency ?? "USD" }
          : v &&
              typeof v === "object" &&
              !Array.isArray(v) &&
              typeof v.amount === "number" &&
              typeof v.currency === "string"
            ? { amount: v.amount, currency: v.currency }
            : undefined;
      return {
        type: "create_deal",
        ...at,
        pipeline: a.pipeline,
        stage: a.stage,
        title: a.title ? renderTemplate(a.title, scope) : undefined,
        value,
        fields: { ...turn.state.fields },
      };
    }
    case "tag":
      return { type: "tag", ...at, tags: a.tags };
    case "notify":
      return { type: "notify", ...at, to: a.to, message: renderTemplate(a.message, scope) };
    case "call_plugin":
      return {
        type: "call_plugin",
        ...at,
        plugin: a.plugin,
        method: a.method,
        input: Object.fromEntries(
          Object.entries(a.input ?? {}).map(([k, t]) => [k, renderTemplate(t, scope)]),
        ),
      };
  }
}
