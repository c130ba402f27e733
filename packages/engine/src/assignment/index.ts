// Lead assignment: pure selection of an owner; the caller loads candidates and records the decision.
export { localTime, unavailableReason } from "./availability.js";
export { ruleMatches } from "./conditions.js";
export { pickAssignee } from "./pick.js";
export type {
  AssignableLead,
  AssignmentStrategy,
  Candidate,
  Pick,
  RuleConditions,
  Skip,
} from "./types.js";
