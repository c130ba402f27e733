import type { ReactNode } from "react";
import { Form } from "react-router";

/**
 * A one-button form for a destructive action (delete, revoke, remove): it asks `question` first, and
 * posts `intent` with the hidden `fields` only when the person confirms.
 */
export function ConfirmForm({
  intent,
  fields = {},
  question,
  label,
  children,
}: {
  intent: string;
  fields?: Record<string, string>;
  question: string;
  /** The button's accessible name where its text alone is ambiguous (a row's "Delete"). */
  label?: string;
  children: ReactNode;
}) {
  return (
    <Form
      method="post"
      onSubmit={(e) => {
        if (!confirm(question)) e.preventDefault();
      }}
    >
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className="danger" aria-label={label}>
        {children}
      </button>
    </Form>
  );
}
