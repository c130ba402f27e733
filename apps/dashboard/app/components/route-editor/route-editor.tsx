import type { Step } from "@autopilot/engine";
import { useEffect, useRef, useState } from "react";
import { Form, useNavigation } from "react-router";
import type { RouteErrors } from "../../lib/route-errors.js";
import { TextArea, TextInput } from "./inputs.js";
import { type PluginAction, PluginActions } from "./plugin-actions.js";
import { AddStep, StepCard } from "./step-card.js";
import {
  conditionSubjects,
  type Draft,
  insertStep,
  type Kind,
  newStep,
  retarget,
  slug,
  stepLabel,
} from "./steps.js";

// The route editor: name, examples (what customers say when this route applies) and the script's steps.
// The draft lives in React state and is posted as one JSON document; the API (the engine's validateRoute)
// is the one validator, and its errors come back per step and are shown ON that step. Fields the editor
// has no inputs for (entry conditions, cross-field rules, rephrase …) are kept as they were.
// Owners never type step ids: "go to" is a choice of steps, branch conditions are built from the
// playbook's fields, and a new step goes in after the step being edited, wired into the flow.

export function RouteEditor({
  initial,
  isNew,
  errors,
  readOnly,
  pluginActions = [],
}: {
  initial: Draft;
  isNew: boolean;
  errors: RouteErrors | undefined;
  readOnly: boolean;
  /** The installed plugins' actions a call_plugin step can call. */
  pluginActions?: PluginAction[];
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
    <PluginActions.Provider value={pluginActions}>
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
    </PluginActions.Provider>
  );
}
