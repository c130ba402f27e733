// Lead scoring: pure functions, no I/O. See scoreLead.
export { fitConditionHolds } from "./fit.js";
export { decayed, MAX_SCORE, scoreLead } from "./score.js";
export { canMoveLead, type LeadStatus, type StatusThresholds, statusForScore } from "./status.js";
export type {
  BantSignal,
  EngagementEvent,
  FitCondition,
  FitOperator,
  LeadScore,
  LeadSignals,
  ScorableLead,
  ScoreLine,
  ScoringRule,
} from "./types.js";
