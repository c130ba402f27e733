import { Validator } from "@cfworker/json-schema";

// The one check of a value against a JSON Schema a plugin's manifest declares (settings, action
// input, report parameters): the most specific problem, named by its field.

export type SchemaProblem = { field: string; message: string };

export function schemaProblem(schema: Record<string, unknown>, value: unknown): SchemaProblem | null {
  const result = new Validator(schema, "2020-12", false).validate(value);
  if (result.valid) return null;
  // The error pointing deepest into the value; a missing property is named as that property.
  const error = [...result.errors].sort((a, b) => b.instanceLocation.length - a.instanceLocation.length)[0];
  const path = (error?.instanceLocation ?? "#").replace(/^#\/?/, "").replaceAll("/", ".");
  const missing = /required property "([^"]+)"/.exec(error?.error ?? "")?.[1];
  return {
    field: missing ? [path, missing].filter(Boolean).join(".") : path,
    message: error?.error ?? "not valid",
  };
}

/** "prefix.field" (or just "prefix" for the value as a whole). */
export const fieldPath = (prefix: string, problem: SchemaProblem) =>
  problem.field ? `${prefix}.${problem.field}` : prefix;
