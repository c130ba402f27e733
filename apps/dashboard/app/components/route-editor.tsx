import type { FieldType, Route, RouteAction, Step } from "@autopilot/engine";
import { useEffect, useRef, useState } from "react";
import { Form, useNavigation } from "react-router";
import { covers } from "../lib/crm.js";
import type { RouteErrors } from "../lib/route-errors.js";
import { CONTACT_SUBJECTS, ConditionBuilder, type ConditionSubject } from "./condition-builder.js";

// The route editor: name, examples (what customers say when this route applies) and the script's steps.
// The draft lives in React state and is posted as one JSON document; the API (the engine's validateRoute)
// is the one validator, and its errors come back per step and are shown ON that step. Fields the editor
// has no inputs for (entry conditions, cross-field rules, rephrase …) are kept as they were.
// Owners never type step ids: "go to" is a choice of steps, branch conditions are built from the
// playbook's fields, and a new step goes in after the step being edited, wired into the flow.

type Kind = Step["kind"];
type Draft = Omit<Route, "steps"> & { steps: Step[] };

const KINDS: { kind: Kind; label: string }[] = [
  { kind: "say", label: "Say" },
  { kind: "ask", label: "Ask (form field)" },
  { kind: "branch", label: "Branch" },
  { kind: "action", label: "Action" },
  { kind: "handoff", label: "Hand off to a human" },
  { kind: "end", label: "End" },
];
// The engine's field types and actions (a type error here when the engine gains one the editor lacks).
const FIELD_TYPES = covers<FieldType>()([
  "text",
  "name",
  "email",
  "phone",
  "number",
  "money",
  "date",
  "choice",
]);
const ACTIONS = covers<RouteAction["type"]>()([
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

function newStep(kind: Kind, id: string): Step {
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
const opt = (value: string) => (value.trim() === "" ? undefined : value);

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
function retarget(step: Step, to: (id: string) => string): Step {
  if (step.kind === "branch")
    return {
      ...step,
      cases: step.cases.map((c) => ({ ...c, next: to(c.next) })),
      otherwise: to(step.otherwise),
    };
  return "next" in step ? ({ ...step, next: to(step.next) } as Step) : step;
}

const isTerminal = (step: Step | undefined) => step?.kind === "end" || step?.kind === "handoff";

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

export function RouteEditor({
  initial,
  isNew,
  errors,
  readOnly,
}: {
  initial: Draft;
  isNew: boolean;
  errors: RouteErrors | undefined;
  readOnly: boolean;
}) {
  const [draft, setDraft] = useState<Draft>(initial);
  // A stable React key per step (ids are editable, so they cannot be keys); moved together with the steps.
  const nextKey = useRef(initial.steps.length);
  const [keys, setKeys] = useState<number[]>(() => initial.steps.map((_, i) => i));
  // Step errors are placed by index: once steps are added, removed or moved they no longer line up.
  const [shown, setShown] = useState<RouteErrors | undefined>(errors);
  useEffect(() => setShown(errors), [errors]);
  const focusStep = useRef<string | null>(null);
  useEffect(() => {
    if (!focusStep.current) return;
    document.getElementById(`step-${focusStep.current}-first`)?.focus();
    focusStep.current = null;
  });
  const submitting = useNavigation().state === "submitting";
  const ids = draft.steps.map((s) => s.id);
  // The step the owner is working on: a new step goes in after it.
  const [current, setCurrent] = useState<number | null>(null);
  const subjects = conditionSubjects(draft.steps);
  const targets = draft.steps.map((s, i) => ({ id: s.id, label: stepLabel(s, i) }));

  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setStep = (index: number, step: Step) =>
    setDraft((d) => {
      const old = d.steps[index]?.id;
      // A renamed step keeps the arrows that point at it.
      const renamed =
        old !== undefined && old !== step.id ? (id: string) => (id === old ? step.id : id) : null;
      return {
        ...d,
        steps: d.steps.map((s, i) => (i === index ? step : renamed ? retarget(s, renamed) : s)),
      };
    });
  const restructure = (steps: Step[], stepKeys: number[]) => {
    setShown((e) => (e ? { ...e, steps: {} } : e));
    setKeys(stepKeys);
    setDraft((d) => ({ ...d, steps }));
  };
  const addStep = (kind: Kind, after: number) => {
    let n = draft.steps.length + 1;
    while (ids.includes(`${kind}-${n}`)) n++;
    const step = newStep(kind, `${kind}-${n}`);
    const placed = insertStep(draft.steps, after, step);
    const order = [...keys];
    order.splice(placed.at, 0, nextKey.current++);
    focusStep.current = step.id;
    setCurrent(placed.at);
    restructure(placed.steps, order);
  };
  const removeStep = (index: number) => {
    const gone = draft.steps[index];
    if (!gone) return;
    // Arrows into the removed step now skip it (to where it led), or are left for the owner to choose.
    const onward = "next" in gone ? gone.next : "";
    const steps = draft.steps
      .filter((_, i) => i !== index)
      .map((s) => retarget(s, (id) => (id === gone.id ? onward : id)));
    setCurrent(null);
    restructure(
      steps,
      keys.filter((_, i) => i !== index),
    );
  };
  const move = (index: number, by: -1 | 1) => {
    const steps = [...draft.steps];
    const order = [...keys];
    const [step] = steps.splice(index, 1);
    const [key] = order.splice(index, 1);
    if (!step || key === undefined) return;
    steps.splice(index + by, 0, step);
    order.splice(index + by, 0, key);
    restructure(steps, order);
  };

  return (
    <Form method="post" noValidate className="route-editor">
      <input type="hidden" name="definition" value={JSON.stringify(draft)} />
      <div className="form-error" role="alert" data-route-errors="">
        {shown?.route.length ? (
          <ul>
            {shown.route.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <fieldset className="card" disabled={readOnly} aria-label="Route">
        <div className="grid-2">
          <TextInput
            label="Name"
            name="name"
            value={draft.name}
            error={shown?.fields.name}
            onChange={(name) =>
              set(isNew && draft.id === slug(draft.name) ? { name, id: slug(name) } : { name })
            }
          />
          <TextInput
            label="Id"
            name="id"
            value={draft.id}
            error={shown?.fields.id}
            readOnly={!isNew}
            hint={isNew ? "Used in reports and the API; cannot change later." : undefined}
            onChange={(id) => set({ id })}
          />
        </div>
        <TextArea
          label="Examples — what customers say when this route applies (one per line)"
          name="examples"
          value={draft.examples.join("\n")}
          error={shown?.fields.examples}
          rows={4}
          onChange={(v) => set({ examples: v.split("\n") })}
          onBlur={() => set({ examples: draft.examples.map((e) => e.trim()).filter(Boolean) })}
        />
        <div className="grid-2">
          <TextInput
            label="Priority (higher wins a tie)"
            name="priority"
            type="number"
            value={String(draft.priority)}
            error={shown?.fields.priority}
            onChange={(v) => set({ priority: Number.parseInt(v, 10) || 0 })}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => set({ enabled: e.target.checked })}
            />
            Enabled
          </label>
        </div>
      </fieldset>

      <h2>Script</h2>
      <ol className="step-list">
        {draft.steps.map((step, index) => (
          <li key={keys[index]} onFocus={() => setCurrent(index)}>
            <StepCard
              step={step}
              index={index}
              count={draft.steps.length}
              errors={shown?.steps[index]}
              readOnly={readOnly}
              targets={targets}
              subjects={subjects}
              onChange={(s) => setStep(index, s)}
              onMove={(by) => move(index, by)}
              onRemove={() => removeStep(index)}
            />
          </li>
        ))}
      </ol>
      {readOnly ? (
        <p className="notice">Only admins can change routes.</p>
      ) : (
        <>
          <AddStep steps={draft.steps} current={current} onAdd={addStep} />
          <div className="actions save-bar">
            <button type="submit" className="primary" disabled={submitting}>
              {submitting ? "Saving…" : isNew ? "Create route" : "Save route"}
            </button>
          </div>
        </>
      )}
    </Form>
  );
}

/** Where a new step goes by default: after the step being edited, else after the last step that leads on. */
function defaultPlace(steps: Step[], current: number | null): number {
  if (current !== null && current < steps.length) return current;
  for (let i = steps.length - 1; i >= 0; i--) if (!isTerminal(steps[i])) return i;
  return steps.length - 1;
}

function AddStep({
  steps,
  current,
  onAdd,
}: {
  steps: Step[];
  current: number | null;
  onAdd: (kind: Kind, after: number) => void;
}) {
  const [kind, setKind] = useState<Kind>("say");
  const place = defaultPlace(steps, current);
  // The owner's explicit choice holds until they work on another step.
  const [chosen, setChosen] = useState<{ at: number; while: number | null } | null>(null);
  const after = chosen && chosen.while === current && chosen.at < steps.length ? chosen.at : place;
  return (
    <div className="inline-form add-step">
      <label htmlFor="add-step-kind">Add a step</label>
      <select id="add-step-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
        {KINDS.map((k) => (
          <option key={k.kind} value={k.kind}>
            {k.label}
          </option>
        ))}
      </select>
      <label htmlFor="add-step-after">after</label>
      <select
        id="add-step-after"
        value={after}
        onChange={(e) => setChosen({ at: Number(e.target.value), while: current })}
      >
        {steps.map((s, i) => (
          <option key={s.id} value={i}>
            {stepLabel(s, i)}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => onAdd(kind, after)}>
        Add step
      </button>
    </div>
  );
}

/** What branch conditions can look at: this playbook's form fields, then the contact. */
function conditionSubjects(steps: Step[]): ConditionSubject[] {
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

type Target = { id: string; label: string };

/** "Then go to": a choice among the playbook's steps (never itself). */
function StepTarget({
  label,
  name,
  value,
  targets,
  self,
  onChange,
}: {
  label: string;
  name: string;
  value: string;
  targets: Target[];
  self: string;
  onChange: (id: string) => void;
}) {
  const inputId = `in-${name}`;
  const known = value === "" || targets.some((t) => t.id === value);
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <select id={inputId} data-name={name} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">(choose a step)</option>
        {targets
          .filter((t) => t.id !== self)
          .map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        {known ? null : <option value={value}>{value} (missing step)</option>}
      </select>
    </div>
  );
}

function StepCard({
  step,
  index,
  count,
  errors,
  readOnly,
  targets,
  subjects,
  onChange,
  onMove,
  onRemove,
}: {
  step: Step;
  index: number;
  count: number;
  errors: string[] | undefined;
  readOnly: boolean;
  targets: Target[];
  subjects: ConditionSubject[];
  onChange: (step: Step) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const errorId = `step-${index}-errors`;
  const kindLabel = KINDS.find((k) => k.kind === step.kind)?.label ?? step.kind;
  return (
    <fieldset
      className="card step"
      data-step={step.id}
      aria-invalid={errors?.length ? true : undefined}
      aria-describedby={errors?.length ? errorId : undefined}
      disabled={readOnly}
    >
      <legend>
        {index + 1}. {kindLabel}
        {index === 0 ? <span className="muted small"> — starts here</span> : null}
      </legend>
      {errors?.length ? (
        <ul id={errorId} className="step-errors" role="alert" data-step-error={step.id}>
          {errors.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      <div className="grid-2">
        <TextInput
          id={`step-${step.id}-first`}
          label="Step id"
          name={`steps.${index}.id`}
          value={step.id}
          onChange={(id) => onChange({ ...step, id })}
        />
        {"next" in step ? (
          <StepTarget
            label="Then go to"
            name={`steps.${index}.next`}
            value={step.next}
            targets={targets}
            self={step.id}
            onChange={(next) => onChange({ ...step, next })}
          />
        ) : null}
      </div>
      <StepFields step={step} index={index} targets={targets} subjects={subjects} onChange={onChange} />
      {readOnly ? null : (
        <div className="step-tools">
          <button
            type="button"
            onClick={() => onMove(-1)}
            disabled={index === 0}
            aria-label={`Move step ${index + 1} up`}
          >
            Move up
          </button>
          <button
            type="button"
            onClick={() => onMove(1)}
            disabled={index === count - 1}
            aria-label={`Move step ${index + 1} down`}
          >
            Move down
          </button>
          <button
            type="button"
            className="danger"
            onClick={onRemove}
            disabled={count === 1}
            aria-label={`Remove step ${index + 1}`}
          >
            Remove
          </button>
        </div>
      )}
    </fieldset>
  );
}

function StepFields({
  step,
  index,
  targets,
  subjects,
  onChange,
}: {
  step: Step;
  index: number;
  targets: Target[];
  subjects: ConditionSubject[];
  onChange: (s: Step) => void;
}) {
  const name = (field: string) => `steps.${index}.${field}`;
  switch (step.kind) {
    case "say": {
      const lines = Array.isArray(step.text) ? step.text : [step.text];
      return (
        <TextArea
          label="Text (several lines = variants, one picked at random)"
          name={name("text")}
          value={lines.join("\n")}
          rows={2}
          onChange={(v) => {
            const variants = v.split("\n");
            onChange({ ...step, text: variants.length > 1 ? variants : (variants[0] ?? "") });
          }}
        />
      );
    }
    case "ask": {
      const f = step.field;
      const setField = (patch: Partial<typeof f>) => onChange({ ...step, field: { ...f, ...patch } });
      const v = f.validation;
      return (
        <>
          <TextArea
            label="Question"
            name={name("prompt")}
            value={step.prompt}
            rows={2}
            onChange={(prompt) => onChange({ ...step, prompt })}
          />
          <div className="grid-3">
            <TextInput
              label="Field label"
              name={name("field.label")}
              value={f.label}
              onChange={(label) =>
                setField(f.name === slug(f.label, "_") ? { label, name: slug(label, "_") } : { label })
              }
            />
            <TextInput
              label="Field name"
              name={name("field.name")}
              value={f.name}
              onChange={(n) => setField({ name: n })}
            />
            <Select
              label="Type"
              name={name("field.type")}
              value={f.type}
              options={FIELD_TYPES}
              onChange={(type) => setField({ type })}
            />
          </div>
          {f.type === "choice" ? (
            <TextArea
              label="Options (one per line: value or value = Label)"
              name={name("field.options")}
              value={(f.options ?? [])
                .map((o) => (o.label === o.value ? o.value : `${o.value} = ${o.label}`))
                .join("\n")}
              rows={3}
              onChange={(text) =>
                setField({
                  options: text
                    .split("\n")
                    .filter((l) => l.trim())
                    .map((l) => {
                      const [value = "", label] = l.split("=").map((p) => p.trim());
                      return { value, label: label || value };
                    }),
                })
              }
            />
          ) : null}
          <div className="grid-3">
            <label className="check">
              <input
                type="checkbox"
                checked={v?.required ?? true}
                onChange={(e) => setField({ validation: { ...v, required: e.target.checked } })}
              />
              Required
            </label>
            {["number", "money", "text", "name"].includes(f.type) ? (
              <>
                <TextInput
                  label={f.type === "number" || f.type === "money" ? "Minimum" : "Min length"}
                  name={name("field.validation.min")}
                  type="number"
                  value={v?.min === undefined ? "" : String(v.min)}
                  onChange={(x) =>
                    setField({ validation: { required: v?.required ?? true, ...v, min: num(x) } })
                  }
                />
                <TextInput
                  label={f.type === "number" || f.type === "money" ? "Maximum" : "Max length"}
                  name={name("field.validation.max")}
                  type="number"
                  value={v?.max === undefined ? "" : String(v.max)}
                  onChange={(x) =>
                    setField({ validation: { required: v?.required ?? true, ...v, max: num(x) } })
                  }
                />
              </>
            ) : null}
          </div>
          <Select
            label="After too many wrong answers"
            name={name("onMaxAttempts")}
            value={step.onMaxAttempts}
            options={["handoff", "skip", "end"] as const}
            onChange={(onMaxAttempts) => onChange({ ...step, onMaxAttempts })}
          />
        </>
      );
    }
    case "branch": {
      const setCase = (i: number, patch: Partial<(typeof step.cases)[number]>) =>
        onChange({ ...step, cases: step.cases.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
      return (
        <>
          <ol className="branch-cases">
            {step.cases.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: cases have no identity of their own
              <li key={i} className="branch-case">
                <ConditionBuilder
                  id={`step-${index}-case-${i}`}
                  label={`Case ${i + 1} of step ${index + 1}`}
                  condition={c.when}
                  subjects={subjects}
                  onChange={(when) => setCase(i, { when })}
                />
                <StepTarget
                  label={`Case ${i + 1}: go to`}
                  name={name(`cases.${i}.next`)}
                  value={c.next}
                  targets={targets}
                  self={step.id}
                  onChange={(next) => setCase(i, { next })}
                />
                {step.cases.length > 1 ? (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => onChange({ ...step, cases: step.cases.filter((_, j) => j !== i) })}
                  >
                    Remove case {i + 1}
                  </button>
                ) : null}
              </li>
            ))}
          </ol>
          <button
            type="button"
            onClick={() => onChange({ ...step, cases: [...step.cases, { when: { all: [] }, next: "" }] })}
          >
            Add case
          </button>
          <StepTarget
            label="Otherwise go to"
            name={name("otherwise")}
            value={step.otherwise}
            targets={targets}
            self={step.id}
            onChange={(otherwise) => onChange({ ...step, otherwise })}
          />
        </>
      );
    }
    case "action":
      return <ActionFields step={step} index={index} onChange={onChange} />;
    case "handoff":
      return (
        <div className="grid-2">
          <TextInput
            label="Message to the customer"
            name={name("message")}
            value={step.message ?? ""}
            onChange={(m) => onChange({ ...step, message: opt(m) })}
          />
          <TextInput
            label="Team (optional)"
            name={name("team")}
            value={step.team ?? ""}
            onChange={(t) => onChange({ ...step, team: opt(t) })}
          />
        </div>
      );
    case "end":
      return (
        <TextInput
          label="Closing message (optional)"
          name={name("message")}
          value={step.message ?? ""}
          onChange={(m) => onChange({ ...step, message: opt(m) })}
        />
      );
  }
}

type ActionStep = Extract<Step, { kind: "action" }>;

function ActionFields({
  step,
  index,
  onChange,
}: {
  step: ActionStep;
  index: number;
  onChange: (s: Step) => void;
}) {
  const a = step.action;
  const name = (field: string) => `steps.${index}.action.${field}`;
  const set = (action: ActionStep["action"]) => onChange({ ...step, action });
  const text = (key: string, label: string) => (
    <TextInput
      key={key}
      label={label}
      name={name(key)}
      value={String((a as Record<string, unknown>)[key] ?? "")}
      onChange={(v) => set({ ...a, [key]: opt(v) } as ActionStep["action"])}
    />
  );
  return (
    <>
      <Select
        label="Action"
        name={name("type")}
        value={a.type}
        options={ACTIONS}
        onChange={(type) =>
          set(
            (type === "tag"
              ? { type, tags: [] }
              : type === "notify"
                ? { type, to: "", message: "" }
                : type === "call_plugin"
                  ? { type, plugin: "", method: "" }
                  : { type }) as ActionStep["action"],
          )
        }
      />
      <div className="grid-2">
        {a.type === "create_lead" ? text("source", "Lead source (optional)") : null}
        {a.type === "assign" ? (
          <>
            <Select
              label="Strategy"
              name={name("strategy")}
              value={a.strategy ?? ""}
              options={["", "round_robin", "weighted", "least_loaded", "territory", "skill"] as const}
              onChange={(s) => set({ ...a, strategy: s === "" ? undefined : s })}
            />
            {text("team", "Team (optional)")}
          </>
        ) : null}
        {a.type === "create_deal" ? (
          <>
            {text("pipeline", "Pipeline (optional)")}
            {text("stage", "Stage (optional)")}
            {text("title", "Title (optional)")}
            {text("valueField", "Value from field (optional)")}
          </>
        ) : null}
        {a.type === "tag" ? (
          <TextInput
            label="Tags (comma separated)"
            name={name("tags")}
            value={a.tags.join(", ")}
            onChange={(v) => set({ ...a, tags: v.split(",").map((t) => t.trim()) })}
          />
        ) : null}
        {a.type === "notify" ? (
          <>
            {text("to", "Notify whom")}
            {text("message", "Message")}
          </>
        ) : null}
        {a.type === "call_plugin" ? (
          <>
            {text("plugin", "Plugin")}
            {text("method", "Method")}
          </>
        ) : null}
      </div>
    </>
  );
}

// --- small inputs bound to the draft (ids derived from their names; labels always present) ---

type InputProps = {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  id?: string;
  error?: string | undefined;
  hint?: string | undefined;
  type?: string;
  readOnly?: boolean;
};

function TextInput({ label, name, value, onChange, id, error, hint, type, readOnly }: InputProps) {
  const inputId = id ?? `in-${name}`;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        data-name={name}
        type={type ?? "text"}
        value={value}
        readOnly={readOnly}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${inputId}-error` : hint ? `${inputId}-hint` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint ? (
        <p id={`${inputId}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {error !== undefined || name === "name" || name === "id" ? (
        <p id={`${inputId}-error`} className="field-error" data-field-error={name}>
          {error ?? ""}
        </p>
      ) : null}
    </div>
  );
}

function TextArea({
  label,
  name,
  value,
  onChange,
  onBlur,
  error,
  rows,
}: InputProps & { rows: number; onBlur?: () => void }) {
  const inputId = `in-${name}`;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <textarea
        id={inputId}
        data-name={name}
        rows={rows}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${inputId}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
      />
      {error !== undefined || name === "examples" ? (
        <p id={`${inputId}-error`} className="field-error" data-field-error={name}>
          {error ?? ""}
        </p>
      ) : null}
    </div>
  );
}

function Select<T extends string>({
  label,
  name,
  value,
  options,
  onChange,
}: {
  label: string;
  name: string;
  value: T;
  options: readonly T[];
  onChange: (value: T) => void;
}) {
  const inputId = `in-${name}`;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <select id={inputId} data-name={name} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o === "" ? "(default)" : o.replaceAll("_", " ")}
          </option>
        ))}
      </select>
    </div>
  );
}

function num(value: string): number | undefined {
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
