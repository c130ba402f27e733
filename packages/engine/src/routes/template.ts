// Templates: `{{contact.firstName}}` or `{{contact.firstName | there}}` (fallback when empty).
// Rendering is a single pass over the author's template, so customer-supplied values inserted into it
// are never scanned again: a customer typing "{{business.name}}" gets those characters back verbatim.
import { type JsonValue, resolveVariable, type Scope } from "./variables.js";

const VARIABLE = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_.]*)\s*(?:\|\s*([^}]*?)\s*)?\}\}/g;

/** Variable paths a template uses, in order of appearance. */
export function templateVariables(template: string): string[] {
  return [...template.matchAll(VARIABLE)].map((m) => m[1] as string);
}

/** Human-readable text for a collected value (money, names and dates are objects or ISO strings). */
export function displayValue(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(displayValue).join(", ");
  if (typeof value.amount === "number" && typeof value.currency === "string") {
    try {
      return new Intl.NumberFormat("en", { style: "currency", currency: value.currency }).format(
        value.amount,
      );
    } catch {
      return `${value.amount} ${value.currency}`;
    }
  }
  if (typeof value.full === "string") return value.full;
  return "";
}

export function renderTemplate(template: string, scope: Scope): string {
  return template.replace(VARIABLE, (_m, path: string, fallback: string | undefined) => {
    const text = displayValue(resolveVariable(scope, path));
    return text === "" ? (fallback ?? "") : text;
  });
}
