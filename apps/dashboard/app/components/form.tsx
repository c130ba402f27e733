import type { InputHTMLAttributes, ReactNode } from "react";
import { useNavigation } from "react-router";
import type { FormErrors } from "../lib/forms.js";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  name: string;
  label: string;
  errors?: FormErrors | undefined;
  hint?: ReactNode;
};

/**
 * A labelled input whose error (from the action's FormErrors) sits right under it, is announced with
 * the input (aria-describedby) and marks it aria-invalid. The message's line is always reserved, so an
 * error appearing does not move the page.
 */
export function Field({ name, label, errors, hint, id, ...input }: FieldProps) {
  const inputId = id ?? `field-${name}`;
  const error = errors?.fields[name];
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = `${inputId}-error`;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, error ? errorId : undefined].filter(Boolean).join(" ") || undefined}
        {...input}
      />
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      <p id={errorId} className="field-error" data-field-error={name}>
        {error ?? ""}
      </p>
    </div>
  );
}

/** The form-wide message (wrong password, already taken, …), announced when it appears. */
export function FormError({ errors }: { errors?: FormErrors | undefined }) {
  return (
    <div className="form-error" role="alert">
      {errors?.form ?? ""}
    </div>
  );
}

/** A submit button that says it is busy while its form is being submitted. */
export function Submit({ children, busy }: { children: ReactNode; busy?: string }) {
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  return (
    <button type="submit" className="primary" disabled={submitting} aria-busy={submitting || undefined}>
      {submitting && busy ? busy : children}
    </button>
  );
}
