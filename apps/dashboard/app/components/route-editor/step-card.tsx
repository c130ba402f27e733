import type { Step } from "@autopilot/engine";
import { useState } from "react";
import type { ConditionSubject } from "../condition-builder.js";
import { StepTarget, type Target, TextInput } from "./inputs.js";
import { StepFields } from "./step-fields.js";
import { defaultPlace, KINDS, type Kind, stepLabel } from "./steps.js";

// One step of the script as a card (its id, where it leads, its own fields, move and remove), and the
// "Add a step … after …" control.

export function StepCard({
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

export function AddStep({
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
