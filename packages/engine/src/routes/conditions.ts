// Evaluates branch, entry and cross-field conditions against a scope.

import { tenantPattern } from "./pattern.js";
import type { Comparison, Condition } from "./schema.js";
import { type JsonValue, resolveVariable, type Scope } from "./variables.js";

/** Money compares by amount and names by full name; dates are ISO strings, so they compare as strings. */
function comparable(v: JsonValue | undefined): string | number | boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return undefined;
  if (typeof v.amount === "number") return v.amount;
  if (typeof v.full === "string") return v.full;
  return undefined;
}

function equal(a: string | number | boolean, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (typeof a === "number" && typeof b === "string" && b.trim() !== "") return a === Number(b);
  return a === b;
}

function order(a: string | number | boolean, b: unknown): number | null {
  if (typeof a === "number" && (typeof b === "number" || typeof b === "string")) {
    const n = Number(b);
    return Number.isFinite(n) ? a - n : null;
  }
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

export function evaluateComparison(c: Comparison, scope: Scope): boolean {
  const left = comparable(resolveVariable(scope, c.var));
  if (c.op === "exists") return left !== undefined && left !== "";
  if (c.op === "not_exists") return left === undefined || left === "";
  if (left === undefined) return c.op === "neq" || c.op === "not_in";
  const right = c.other !== undefined ? comparable(resolveVariable(scope, c.other)) : c.value;
  if (right === undefined) return false;
  switch (c.op) {
    case "eq":
      return equal(left, right);
    case "neq":
      return !equal(left, right);
    case "in":
      return Array.isArray(right) && right.some((r) => equal(left, r));
    case "not_in":
      return Array.isArray(right) && !right.some((r) => equal(left, r));
    case "contains":
      return String(left).toLowerCase().includes(String(right).toLowerCase());
    case "matches":
      return tenantPattern(String(right), "i")?.test(String(left)) ?? false;
    default: {
      const o = order(left, right);
      if (o === null) return false;
      return c.op === "gt" ? o > 0 : c.op === "gte" ? o >= 0 : c.op === "lt" ? o < 0 : o <= 0;
    }
  }
}

export function evaluateCondition(cond: Condition | undefined, scope: Scope): boolean {
  if (!cond) return true;
  const all = (cond.all ?? []).every((c) => evaluateComparison(c, scope));
  const any =
    cond.any === undefined || cond.any.length === 0 || cond.any.some((c) => evaluateComparison(c, scope));
  return all && any;
}

/** Every comparison of a condition. */
export function conditionComparisons(cond: Condition | undefined): Comparison[] {
  return cond ? [...(cond.all ?? []), ...(cond.any ?? [])] : [];
}

/** Variable paths a condition reads. */
export function conditionVariables(cond: Condition | undefined): string[] {
  if (!cond) return [];
  return [...(cond.all ?? []), ...(cond.any ?? [])].flatMap((c) => (c.other ? [c.var, c.other] : [c.var]));
}
