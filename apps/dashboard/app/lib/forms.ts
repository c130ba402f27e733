import type { ApiError } from "./api.server.js";

/**
 * What an action returns when the API refused the input: a message per form field and one for the form
 * as a whole. The API is the one place that validates; the dashboard only places its messages.
 */
export type FormErrors = { fields: Record<string, string>; form?: string };

type Issue = { field?: string; message?: string };

/**
 * Maps an edge-api error onto a form whose inputs are named `fields`. Input names follow the API's JSON
 * paths ("email", "steps.0.text"), which every error about an input names in `details.issues` (zod's
 * issues, and refusals such as a 409 "email taken"). A message for a field the form does not show (or
 * none) becomes the form-wide message, so nothing is ever swallowed.
 */
export function formErrors(
  error: { error: ApiError } | undefined,
  fields: readonly string[],
  fallback = "Something went wrong. Try again.",
): FormErrors {
  if (!error) return { fields: {}, form: fallback };
  const known = new Set(fields);
  const result: FormErrors = { fields: {} };
  const details = error.error.details as { issues?: Issue[] } | undefined;
  const issues: Issue[] = details?.issues?.length ? details.issues : [{ message: error.error.message }];
  for (const issue of issues) {
    const message = sentence(issue.message || fallback);
    if (issue.field && known.has(issue.field)) result.fields[issue.field] ??= message;
    else result.form ??= issue.field ? `${issue.field}: ${issue.message}` : message;
  }
  return result;
}

/** The text value of a form field ("" when absent or a file). */
export function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}
