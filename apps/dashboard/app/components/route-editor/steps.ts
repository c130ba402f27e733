import type { FieldType, Route, RouteAction, Step } from "@autopilot/engine";
import { covers } from "../../lib/crm.js";
import { CONTACT_SUBJECTS, type ConditionSubject } from "../condition-builder.js";

// A playbook's steps as the editor changes them: new steps, their names in pickers, inserting a step
// wired into the flow, and keeping "go to" arrows right when a step is renamed or removed.

export type Kind = Step["kind"];
export type Draft = Omit<Route, "steps"> & { steps: Step[] };

export const KINDS: { kind: Kind; label: string }[] = [
  { kind: "say", label: "Say" },
  { kind: "ask", label: "Ask (form field)" },
  { kind: "branch", label: "Branch" },
  { kind: "action", label: "Action" },
  { kind: "handoff", label: "Hand off to a human" },
  { kind: "end", label: "End" },
];
// The engine's field types and actions (a type error here when the engine gains one the editor lacks).
export const FIELD_TYPES = covers<FieldType>()([
  "text",
  "name",
  "email",
  "phone",
  "number",
  "money",
  "date",
  "choice",
]);
export const ACTIONS = covers<RouteAction["type"]>()([
  "create_lead",
  "assign",
  "create_deal",
  "tag",
  "notify",
  "call_plugin",
]);

export const emptyRoute = (): Draft => ({
  id: "",
  name: "",
  examples: [],
  priority: 0,
  enabled: true,
  steps: [newStep("ask", "ask-1")],
});

export function newStep(kind: Kind, id: string): Step {
  switch (kind) {
    case "say":
      return { id, kind, text: "", next: "" };
    case "ask":
      return {
        id,
        kind,
        prompt: "",
        field: { name: "", label: "", type: "text" },
        maxAttempts: 3,
        onMaxAttempts: "handoff",
        next: "",
      };
    case "branch":
      return { id, kind, cases: [{ when: { all: [] }, next: "" }], otherwise: "" };
    case "action":
      return { id, kind, action: { type: "create_lead" }, next: "" };
    case "handoff":
      return { id, kind };
    case "end":
      return { id, kind };
  }
}

/** Optional strings: an emptied input removes the property (the engine rejects "" where it wants text). */
export const opt = (value: string) => (value.trim() === "" ? undefined : value);

const short = (text: string) => (text.length > 40 ? `${text.slice(0, 39)}…` : text);

/** "3. Ask: Email" — how a step is named wherever the owner picks one. */
export function stepLabel(step: Step, index: number): string {
  const kind = KINDS.find((k) => k.kind === step.kind)?.label.replace(/ \(.*\)$/, "") ?? step.kind;
  const detail =
    step.kind === "ask"
      ? step.field.label || step.prompt
      : step.kind === "say"
        ? ((Array.isArray(step.text) ? step.text[0] : step.text) ?? "")
        : step.kind === "action"
          ? step.action.type.replaceAll("_", " ")
          : "";
  return `${index + 1}. ${kind}${detail.trim() ? `: ${short(detail.trim())}` : ""}`;
}

/** Every "go to" of a step, rewritten by `to` (renaming or removing the step they point at). */
export function retarget(step: Step, to: (id: string) => string): Step {
  if (step.kind === "branch")
    return {
      ...step,
      cases: step.cases.map((c) => ({ ...c, next: to(c.next) })),
      otherwise: to(step.otherwise),
    };
  return "next" in step ? ({ ...step, next: to(step.next) } as Step) : step;
}

export const isTerminal = (step: Step | undefined) => step?.kind === "end" || step?.kind === "handoff";

/**
 * Inserts `step` after the step at `after`, wired into the flow: it takes over that step's "go to"
 * and that step now leads to it. Nothing goes after a closing step (End, Hand off): the new step
 * goes before it, and the step that led to the closing step leads to the new one.
 */
export function insertStep(steps: Step[], after: number, step: Step): { steps: Step[]; at: number } {
  let anchor = after;
  let target = steps[anchor];
  let follow: string | undefined;
  if (isTerminal(target) && target) {
    follow = target.id;
    anchor -= 1;
    target = steps[anchor];
    if (target && !("next" in target && target.next === follow)) target = undefined;
  } else if (target && "next" in target) follow = target.next;
  const inserted =
    "next" in step
      ? ({ ...step, next: follow ?? "" } as Step)
      : step.kind === "branch"
        ? { ...step, otherwise: follow ?? "" }
        : step;
  const next = steps.map((s) => (s === target && "next" in s ? ({ ...s, next: step.id } as Step) : s));
  next.splice(anchor + 1, 0, inserted);
  return { steps: next, at: anchor + 1 };
}

/** Where a new step goes by default: after the step being edited, else after the last step that leads on. */
export function defaultPlace(steps: Step[], current: number | null): number {
  if (current !== null && current < steps.length) return current;
  for (let i = steps.length - 1; i >= 0; i--) if (!isTerminal(steps[i])) return i;
  return steps.length - 1;
}
/** What branch conditions can look at: this playbook's form fields, then the contact. */
export function conditionSubjects(steps: Step[]): ConditionSubject[] {
  const fields = steps.flatMap((s): ConditionSubject[] =>
    s.kind === "ask" && s.field.name
      ? [
          {
            path: `fields.${s.field.name}`,
            label: s.field.label || s.field.name,
            type:
              s.field.type === "number" || s.field.type === "money"
                ? "number"
                : s.field.type === "choice"
                  ? "choice"
                  : "text",
            options: s.field.options?.map((o) => ({ value: o.value, label: o.label })),
          },
        ]
      : [],
  );
  return [...fields, ...CONTACT_SUBJECTS];
}
export function num(value: string): number | undefined {
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : undefined;
}

/** "Book a demo" → "book-demo"-style ids (sep "-") or field names (sep "_"). */
export function slug(text: string, sep = "-"): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, sep)
    .replace(new RegExp(`^${sep}+|${sep}+$`, "g"), "")
    .slice(0, 64);
}
