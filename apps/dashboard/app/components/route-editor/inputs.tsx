import { FieldFrame } from "../form.js";

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

/** A controlled text input of the editor (the draft is posted as JSON, so inputs carry data-name, not name). */
export function TextInput({ label, name, value, onChange, id, error, hint, type, readOnly }: InputProps) {
  return (
    <FieldFrame
      id={id ?? `in-${name}`}
      name={name}
      label={label}
      hint={hint}
      error={error}
      reserve={name === "name" || name === "id"}
    >
      {(a11y) => (
        <input
          {...a11y}
          data-name={name}
          type={type ?? "text"}
          value={value}
          readOnly={readOnly}
          autoComplete="off"
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </FieldFrame>
  );
}

export function TextArea({
  label,
  name,
  value,
  onChange,
  onBlur,
  error,
  rows,
}: InputProps & { rows: number; onBlur?: () => void }) {
  return (
    <FieldFrame id={`in-${name}`} name={name} label={label} error={error} reserve={name === "examples"}>
      {(a11y) => (
        <textarea
          {...a11y}
          data-name={name}
          rows={rows}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onBlur={onBlur}
        />
      )}
    </FieldFrame>
  );
}

export function Select<T extends string>({
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

export type Target = { id: string; label: string };

/** "Then go to": a choice among the playbook's steps (never itself). */
export function StepTarget({
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
