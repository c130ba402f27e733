import type { Hook } from "@hono/zod-openapi";
import { validationError } from "./errors.js";
import { checkInput } from "./input-guard.js";

/**
 * Every zod-validated input (json, query, param, header) fails the same way: 400 naming the field;
 * and what passed its schema still passes the one rule for storable text and nesting depth.
 */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by every route.
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) throw validationError(result.error, result.target === "json" ? "" : result.target);
  if (result.target === "header") return;
  const problem = checkInput(result.data, result.target === "json" ? [] : [result.target]);
  if (problem) throw problem;
};
