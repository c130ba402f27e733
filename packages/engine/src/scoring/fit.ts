import type { FitCondition } from "./types.js";

const norm = (v: unknown) => (typeof v === "string" ? v.trim().toLowerCase() : v);
const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" ? Number(v) : Number.NaN);

/** Whether one attribute condition holds; strings compare case-insensitively. */
export function fitConditionHolds(condition: FitCondition, attributes: Record<string, unknown>): boolean {
  const actual = attributes[condition.field];
  const expected = condition.value;
  switch (condition.op) {
    case "exists":
      return actual !== undefined && actual !== null && actual !== "";
    case "eq":
      return norm(actual) === norm(expected);
    case "neq":
      return norm(actual) !== norm(expected);
    case "in":
      return Array.isArray(expected) && expected.some((e) => norm(e) === norm(actual));
    case "gte":
      return num(actual) >= num(expected);
    case "lte":
      return num(actual) <= num(expected);
    case "contains":
      return (
        typeof actual === "string" &&
        typeof expected === "string" &&
        actual.toLowerCase().includes(expected.toLowerCase())
      );
  }
}
