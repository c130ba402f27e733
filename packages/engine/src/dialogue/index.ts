export { type BusinessHours, BusinessHoursSchema, isWithinBusinessHours } from "./businessHours.js";
export { ACTION_COMMAND_TYPES, type Command, CommandSchema, type CommandType } from "./commands.js";
export {
  DEFAULT_CONFIG,
  type EngineConfig,
  type KnowledgeChunk,
  type KnowledgeSource,
  type Reply,
  type StepContext,
  type StepInput,
} from "./context.js";
export type { EngineEvent, EventType } from "./events.js";
export { HANDOFF_MESSAGES } from "./handoff.js";
export { KNOWLEDGE_FALLBACK, KNOWLEDGE_MESSAGES } from "./knowledge.js";
export { checkRephrase, type Proposal, ProposalSchema } from "./proposals.js";
export { routeConfidence } from "./select.js";
export { asksForHuman, frustrationScore, isPromptInjection } from "./signals.js";
export { type ConversationState, ConversationStateSchema, type HandoffState, initialState } from "./state.js";
