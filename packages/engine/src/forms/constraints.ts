// Field validation rules (required, min/max, pattern, date bounds) applied after extraction.

import { tenantPattern } from "../routes/pattern.js";
import type { Field } from "../routes/schema.js";
import type { JsonValue } from "../routes/variables.js";
import { resolveDateBound } from "./date.js";
import { type ExtractContext, type Extraction, fail } from "./types.js";

/** The number min/max apply to: the value, the amount, or the length of text and names. */
function measure(field: Field, value: JsonValue): number | null {
  if (typeof value === "number") return value;
  if (field.type === "money" && value && typeof value === "object" && !Array.isArray(value))
    return value.amount as number;
  if (field.type === "text") return String(value).length;
  if (field.type === "name" && value && typeof value === "object" && !Array.isArray(value))
    return String(value.full).length;
  return null;
}

export function checkConstraints(field: Field, value: JsonValue, ctx: ExtractContext): Extraction {
  const v = field.validation;
  if (!v) return { ok: true, value };
  const n = measure(field, value);
  if (n !== null && v.min !== undefined && n < v.min) return fail("too_small");
  if (n !== null && v.max !== undefined && n > v.max) return fail("too_large");
  if (field.type === "date" && typeof value === "string") {
    if (v.minDate && value < resolveDateBound(v.minDate, ctx)) return fail("too_early");
    if (v.maxDate && value > resolveDateBound(v.maxDate, ctx)) return fail("too_late");
  }
  if (v.pattern !== undefined && (typeof value === "string" || typeof value === "number")) {
    // null when it does not compile: validateRoute reports it; never crash a conversation over it.
    const re = tenantPattern(v.pattern);
    if (re && !re.test(String(value))) return fail("pattern_mismatch");
  }
  return { ok: true, value };
}
