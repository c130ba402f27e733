// validateRoute: rejects routes the engine could not run faithfully, naming the step and the problem
// so the dashboard can show each error on its step.
import { conditionComparisons, conditionVariables } from "./conditions.js";
import { canExitScript, cycles, successors } from "./graph.js";
import { patternProblem } from "./pattern.js";
import { type Route, RouteSchema, type Step } from "./schema.js";
import { templateVariables } from "./template.js";
import { fieldOf, isKnownRoot } from "./variables.js";

export type RouteErrorCode =
  | "schema_invalid"
  | "duplicate_step_id"
  | "dangling_next"
  | "unreachable_step"
  | "unbounded_loop"
  | "unknown_variable"
  | "field_used_before_asked"
  | "missing_choice_options"
  | "invalid_pattern"
  | "invalid_bounds";

export type RouteError = { stepId: string | null; code: RouteErrorCode; message: string };

export type ValidateRouteResult =
  | { ok: true; route: Route; errors: [] }
  | { ok: false; errors: RouteError[] };

/** Variable paths a step reads (templates and conditions). */
export function stepVariables(step: Step): string[] {
  switch (step.kind) {
    case "say":
      return (Array.isArray(step.text) ? step.text : [step.text]).flatMap(templateVariables);
    case "ask":
      return [...templateVariables(step.prompt), ...(step.reask ? templateVariables(step.reask) : [])];
    case "branch":
      return step.cases.flatMap((c) => conditionVariables(c.when));
    case "action": {
      const a = step.action;
      if (a.type === "notify") return templateVariables(a.message);
      if (a.type === "create_deal")
        return [
          ...(a.title ? templateVariables(a.title) : []),
          ...(a.valueField ? [`fields.${a.valueField}`] : []),
        ];
      if (a.type === "call_plugin") return Object.values(a.input ?? {}).flatMap(templateVariables);
      return [];
    }
    default:
      return step.message ? templateVariables(step.message) : [];
  }
}

function checkFieldSpec(step: Step, errors: RouteError[]): void {
  if (step.kind !== "ask") return;
  const f = step.field;
  if (f.type === "choice" && (!f.options || f.options.length === 0))
    errors.push({
      stepId: step.id,
      code: "missing_choice_options",
      message: `Choice field "${f.name}" has no options.`,
    });
  const v = f.validation;
  const problem = v?.pattern === undefined ? null : patternProblem(v.pattern);
  if (problem)
    errors.push({ stepId: step.id, code: "invalid_pattern", message: `Pattern for "${f.name}" ${problem}.` });
  if (v?.min !== undefined && v.max !== undefined && v.min > v.max)
    errors.push({
      stepId: step.id,
      code: "invalid_bounds",
      message: `Minimum of "${f.name}" is above its maximum.`,
    });
  if (v?.minDate && v.maxDate && /^\d/.test(v.minDate) && /^\d/.test(v.maxDate) && v.minDate > v.maxDate)
    errors.push({
      stepId: step.id,
      code: "invalid_bounds",
      message: `Earliest date of "${f.name}" is after its latest date.`,
    });
}

/** Fields definitely asked on every path reaching each step (forward must-analysis to a fixpoint). */
function askedBefore(
  route: Route,
  byId: Map<string, Step>,
  reachable: Set<string>,
): Map<string, Set<string>> {
  const all = new Set(
    route.steps.filter((s) => s.kind === "ask").map((s) => (s.kind === "ask" ? s.field.name : "")),
  );
  const preds = new Map<string, string[]>();
  for (const s of route.steps) for (const n of successors(s)) preds.set(n, [...(preds.get(n) ?? []), s.id]);
  const start = route.steps[0]?.id as string;
  const inSet = new Map<string, Set<string>>();
  for (const id of reachable) inSet.set(id, id === start ? new Set() : new Set(all));
  const out = (id: string): Set<string> => {
    const s = new Set(inSet.get(id));
    const step = byId.get(id);
    if (step?.kind === "ask") s.add(step.field.name);
    return s;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of reachable) {
      if (id === start) continue;
      const ps = (preds.get(id) ?? []).filter((p) => reachable.has(p));
      const next = new Set(all);
      for (const p of ps) for (const f of [...next]) if (!out(p).has(f)) next.delete(f);
      if (next.size !== (inSet.get(id)?.size ?? 0)) {
        inSet.set(id, next);
        changed = true;
      }
    }
  }
  return inSet;
}

export function validateRoute(input: unknown): ValidateRouteResult {
  const parsed = RouteSchema.safeParse(input);
  if (!parsed.success) {
    const steps = (input as { steps?: { id?: unknown }[] } | null)?.steps;
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => {
        const i = issue.path[0] === "steps" && typeof issue.path[1] === "number" ? issue.path[1] : -1;
        const sid = i >= 0 && Array.isArray(steps) ? steps[i]?.id : undefined;
        return {
          stepId: typeof sid === "string" ? sid : null,
          code: "schema_invalid" as const,
          message: `${issue.path.join(".") || "route"}: ${issue.message}`,
        };
      }),
    };
  }
  const route = parsed.data;
  const errors: RouteError[] = [];
  const byId = new Map<string, Step>();
  for (const s of route.steps) {
    if (byId.has(s.id))
      errors.push({ stepId: s.id, code: "duplicate_step_id", message: `Step id "${s.id}" is used twice.` });
    else byId.set(s.id, s);
    checkFieldSpec(s, errors);
  }
  const edges = new Map<string, string[]>();
  for (const s of byId.values()) {
    const ok: string[] = [];
    for (const n of successors(s)) {
      if (byId.has(n)) ok.push(n);
      else
        errors.push({
          stepId: s.id,
          code: "dangling_next",
          message: `Step "${s.id}" goes to "${n}", which does not exist.`,
        });
    }
    edges.set(s.id, ok);
  }
  // Reachability from the first step.
  const start = route.steps[0]?.id as string;
  const reachable = new Set<string>([start]);
  const queue = [start];
  while (queue.length)
    for (const n of edges.get(queue.shift() as string) ?? [])
      if (!reachable.has(n)) reachable.add(n) && queue.push(n);
  for (const id of byId.keys())
    if (!reachable.has(id))
      errors.push({ stepId: id, code: "unreachable_step", message: `Step "${id}" can never be reached.` });
  // Loops: a cycle must wait for the customer (an ask) and must have a way out.
  for (const comp of cycles([...byId.keys()], edges)) {
    const members = new Set(comp);
    const steps = comp.map((id) => byId.get(id) as Step);
    const path = `${comp.join(" → ")} → ${comp[0]}`;
    if (!steps.some((s) => s.kind === "ask"))
      errors.push({
        stepId: comp[0] as string,
        code: "unbounded_loop",
        message: `Loop ${path} never waits for the customer.`,
      });
    else if (!steps.some((s) => canExitScript(s) || (edges.get(s.id) ?? []).some((n) => !members.has(n))))
      errors.push({
        stepId: comp[0] as string,
        code: "unbounded_loop",
        message: `Loop ${path} has no way out.`,
      });
  }
  // Variables: known roots, fields that exist and are asked on every path before use.
  const fieldNames = new Set(route.steps.flatMap((s) => (s.kind === "ask" ? [s.field.name] : [])));
  const asked = askedBefore(route, byId, reachable);
  for (const s of byId.values()) {
    for (const v of stepVariables(s)) {
      const field = fieldOf(v);
      if (!isKnownRoot(v) || (field !== null && !fieldNames.has(field)))
        errors.push({
          stepId: s.id,
          code: "unknown_variable",
          message: `Step "${s.id}" uses unknown variable "${v}".`,
        });
      else if (field !== null && reachable.has(s.id) && !asked.get(s.id)?.has(field))
        errors.push({
          stepId: s.id,
          code: "field_used_before_asked",
          message: `Step "${s.id}" uses "${v}" before the field "${field}" is asked on every path.`,
        });
    }
  }
  for (const rule of route.rules ?? [])
    for (const v of [
      ...conditionVariables(rule.when),
      rule.check.var,
      ...(rule.check.other ? [rule.check.other] : []),
    ]) {
      const field = fieldOf(v);
      if (!isKnownRoot(v) || (field !== null && !fieldNames.has(field)))
        errors.push({
          stepId: null,
          code: "unknown_variable",
          message: `Rule "${rule.id}" uses unknown variable "${v}".`,
        });
    }
  // "matches" comparisons run the tenant's pattern on what customers typed.
  const conditions = [
    ...route.steps.flatMap((s) =>
      s.kind === "branch" ? s.cases.map((c) => ({ stepId: s.id, when: c.when })) : [],
    ),
    { stepId: null, when: route.entry?.contact },
    ...(route.rules ?? []).flatMap((r) => [
      { stepId: null, when: r.when },
      { stepId: null, when: { all: [r.check] } },
    ]),
  ];
  for (const { stepId, when } of conditions)
    for (const c of conditionComparisons(when)) {
      if (c.op !== "matches") continue;
      const problem = typeof c.value === "string" ? patternProblem(c.value, "i") : "must be a text pattern";
      if (problem)
        errors.push({
          stepId,
          code: "invalid_pattern",
          message: `The pattern compared with "${c.var}" ${problem}.`,
        });
    }
  return errors.length ? { ok: false, errors } : { ok: true, route, errors: [] };
}
