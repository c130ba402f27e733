export { evaluateComparison, evaluateCondition } from "./conditions.js";
export * from "./schema.js";
export { displayValue, renderTemplate, templateVariables } from "./template.js";
export { type RouteError, type RouteErrorCode, type ValidateRouteResult, validateRoute } from "./validate.js";
export type { Contact, JsonValue, Scope } from "./variables.js";
