import type { Hook } from "@hono/zod-openapi";
import { validationError } from "./errors.js";

/** Every zod-validated input (json, query, param, header) fails the same way: 400 naming the field. */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by every route.
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) throw validationError(result.error, result.target === "json" ? "" : result.target);
};
