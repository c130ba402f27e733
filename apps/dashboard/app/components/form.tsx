import type { InputHTMLAttributes, ReactNode } from "react";
import { useNavigation } from "react-router";
import type { FormErrors } from "../lib/forms.js";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  name: string;
  label: string;
  errors?: FormErrors | undefined;
  hint?: ReactNode;
};

/** What an input needs to be announced with its hint and its error. */
export type FieldA11y = {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
};

/**
 * The one labelled field: its hint and its error sit under the control and are both announced with
 * it (aria-describedby), and an error marks it aria-invalid. The error's line is reserved when
 * `reserve` is set, so an error appearing does not move the page.
 */
export function FieldFrame({
  id,
  name,
  label,
  hint,
  error,
  reserve = true,
  children,
}: {
  id: string;
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  reserve?: boolean;
  children: (a11y: FieldA11y) => ReactNode;
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = `${id}-error`;
  const describedBy = [hintId, error ? errorId : undefined].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": describedBy || undefined,
      })}
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      {error !== undefined || reserve ? (
        <p id={errorId} className="field-error" data-field-error={name}>
          {error ?? ""}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled input of a submitted form, with its error from the action's FormErrors. */
export function Field({ name, label, errors, hint, id, ...input }: FieldProps) {
  return (
    <FieldFrame id={id ?? `field-${name}`} name={name} label={label} hint={hint} error={errors?.fields[name]}>
      {(a11y) => <input name={name} {...a11y} {...input} />}
    </FieldFrame>
  );
}

/** A password being chosen (sign-up, reset): the same rule and hint everywhere the API checks it. */
export function NewPasswordField({
  label = "Password",
  errors,
}: {
  label?: string;
  errors: FormErrors | undefined;
}) {
  return (
    <Field
      name="password"
      label={label}
      type="password"
      autoComplete="new-password"
      minLength={10}
      required
      hint="At least 10 characters."
      errors={errors}
    />
  );
}

/** A labelled choice of a submitted form, its options shown as they are named. */
export function SelectField({
  id,
  name,
  label,
  options,
  defaultValue,
}: {
  id: string;
  name: string;
  label: string;
  options: readonly string[];
  defaultValue?: string;
}) {
  return (
    <FieldFrame id={id} name={name} label={label} reserve={false}>
      {(a11y) => (
        <select {...a11y} name={name} defaultValue={defaultValue}>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}

/** A small action's error beside its button (announced; its place kept, so nothing moves when it shows). */
export function InlineError({ error }: { error: string | null | undefined }) {
  return (
    <span className="inline-error" role="alert">
      {error ?? ""}
    </span>
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
