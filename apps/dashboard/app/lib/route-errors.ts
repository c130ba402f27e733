import type { Route as EngineRoute } from "@autopilot/engine";
import type { ApiError } from "./api.server.js";

/**
 * Where the engine's route errors belong in the editor. The routes API answers a bad route with a 422
 * whose details.errors are `{stepId, code, message}` (the engine's validateRoute); schema errors name
 * their JSON path in the message ("steps.2.field.label: …"). Each error lands on the step it names (by
 * index, so two steps sharing an id are told apart), on a route-level input (name, id, examples), or in
 * the route-wide list.
 */
export type RouteErrors = {
  steps: Record<number, string[]>;
  fields: Record<string, string>;
  route: string[];
};

type EngineError = { stepId: string | null; code: string; message: string };

const ROUTE_FIELDS = ["id", "name", "examples", "priority", "description"];

export function routeErrors(error: { error: ApiError } | undefined, stepIds: string[]): RouteErrors {
  const result: RouteErrors = { steps: {}, fields: {}, route: [] };
  const list = (error?.error.details as { errors?: EngineError[] } | undefined)?.errors;
  if (!error || !list) {
    // Not a step-level answer (409 id taken, 400 id mismatch, 403 …): on the field it names, or route-wide.
    const message = error?.error.message ?? "Something went wrong. Try again.";
    const issue = (error?.error.details as { issues?: { field: string; message: string }[] } | undefined)
      ?.issues?.[0];
    if (issue && ROUTE_FIELDS.includes(issue.field)) result.fields[issue.field] = capital(issue.message);
    else if (error?.error.code === "conflict" && /already exists$/.test(message))
      result.fields.id = "A route with this id already exists.";
    else result.route.push(capital(message));
    return result;
  }
  for (const e of list) {
    const path = /^steps\.(\d+)(?:\.([\w.]+))?: (.+)$/.exec(e.message);
    let index = path ? Number(path[1]) : -1;
    if (index < 0 && e.stepId !== null)
      index = e.code === "duplicate_step_id" ? stepIds.lastIndexOf(e.stepId) : stepIds.indexOf(e.stepId);
    const message = path ? `${path[2] ? `${label(path[2])}: ` : ""}${capital(path[3] ?? "")}` : e.message;
    if (index >= 0) {
      result.steps[index] = [...(result.steps[index] ?? []), message];
      continue;
    }
    const field = /^(\w+)(?:\.\d+)?: (.+)$/.exec(e.message);
    if (field?.[1] && ROUTE_FIELDS.includes(field[1])) result.fields[field[1]] ??= capital(field[2] ?? "");
    else result.route.push(e.message);
  }
  return result;
}

/** "field.validation.min" → "field validation min": readable enough next to the inputs it names. */
function label(path: string): string {
  return path.replaceAll(".", " ");
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The editor's JSON document (a bad one is the API's to refuse: it names the problem). */
export function parseDefinition(raw: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  return {};
}

export function stepIds(definition: Record<string, unknown>): string[] {
  const steps = (definition as Partial<EngineRoute>).steps;
  return Array.isArray(steps) ? steps.map((s) => String((s as { id?: unknown })?.id ?? "")) : [];
}
